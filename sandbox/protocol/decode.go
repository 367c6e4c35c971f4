package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
)

func decode(svc *Service, r *http.Request, body []byte, req *Request) error {
	switch svc.Protocol {
	case JSON11:
		return decodeJSON11(svc, r, body, req)
	case EC2Query, AWSQuery:
		return decodeQuery(svc, r, body, req)
	case RESTJSON:
		return decodeREST(svc, r, body, req)
	}
	return svc.InternalError("unknown protocol %v", svc.Protocol)
}

func decodeJSON11(svc *Service, r *http.Request, body []byte, req *Request) error {
	if r.Method != http.MethodPost {
		return Errorf("UnknownOperationException", "JSON 1.1 requests must be POST")
	}
	// A signed request reaches here by its scope; its target must still name
	// this service, or another service's operation of the same name would run.
	prefix, op, _ := strings.Cut(r.Header.Get("X-Amz-Target"), ".")
	if op == "" || prefix != svc.TargetPrefix {
		return Errorf("UnknownOperationException", "")
	}
	req.Operation = op
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	if err := checkJSONObject(body); err != nil {
		return Errorf("SerializationException", "Could not parse the request body as a JSON object: %v", err)
	}
	req.Body = body
	return nil
}

// decodeQuery reads the parameters of both query protocols from the URL
// (presigned GETs such as `aws eks get-token` put everything there) and from
// a form body. A body that is not a form (XML, JSON, garbage) either fails to
// parse or yields no Action: both are answered as AWS answers them.
func decodeQuery(svc *Service, r *http.Request, body []byte, req *Request) error {
	params, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return StatusError(http.StatusNotFound, "MalformedQueryString", "The query string contains a syntax error: %v", err)
	}
	if len(bytes.TrimSpace(body)) > 0 {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return StatusError(http.StatusNotFound, "MalformedQueryString", "The request body is not a valid form: %v", err)
		}
		for k, v := range form {
			if old, ok := params[k]; ok {
				params[k] = append(old, v...)
			} else {
				params[k] = v // most keys are in the body alone: no copy
			}
		}
	}
	req.Params = params
	req.Operation = params.Get("Action")
	if req.Operation == "" {
		return Errorf("MissingAction", "The request must contain the parameter Action.")
	}
	if v := params.Get("Version"); v != "" && v != svc.APIVersion {
		if svc.Protocol == EC2Query {
			return Errorf("NoSuchVersion", "The requested version (%s) of service AmazonEC2 does not exist", v)
		}
		return Errorf("InvalidAction", "Could not find operation %s for version %s", req.Operation, v)
	}
	return nil
}

func decodeREST(svc *Service, r *http.Request, body []byte, req *Request) error {
	route, params, ok := matchRoute(svc.Routes, r.Method, r.URL.EscapedPath())
	if !ok {
		return StatusError(http.StatusNotFound, "UnknownOperationException", "No operation for %s %s", r.Method, r.URL.Path)
	}
	req.Operation = route.Operation
	req.PathParams = params
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return Errorf("SerializationException", "The query string is malformed: %v", err)
	}
	req.Query = q
	if len(bytes.TrimSpace(body)) > 0 {
		if err := checkJSONObject(body); err != nil {
			return Errorf("SerializationException", "Could not parse the request body as a JSON object: %v", err)
		}
	}
	req.Body = body
	return nil
}

// checkJSONObject accepts exactly one JSON object: AWS rejects `null`, arrays
// and scalars as request bodies, and so do handlers that decode into structs.
func checkJSONObject(body []byte) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return err
	}
	if obj == nil {
		return errors.New("the body is null, not an object")
	}
	return nil
}

// matchRoute finds the route for a method and escaped path.
func matchRoute(routes []Route, method, escapedPath string) (Route, map[string]string, bool) {
	got := strings.Split(strings.Trim(escapedPath, "/"), "/")
	for _, rt := range routes {
		if rt.Method != method {
			continue
		}
		if params, ok := matchPattern(strings.Split(strings.Trim(rt.Pattern, "/"), "/"), got); ok {
			return rt, params, true
		}
	}
	return Route{}, nil, false
}

func matchPattern(want, got []string) (map[string]string, bool) {
	params := map[string]string{}
	for i, w := range want {
		if strings.HasPrefix(w, "{") && strings.HasSuffix(w, "+}") {
			if i >= len(got) {
				return nil, false
			}
			rest, err := url.PathUnescape(strings.Join(got[i:], "/"))
			if err != nil || rest == "" {
				return nil, false
			}
			params[w[1:len(w)-2]] = rest
			return params, true
		}
		if i >= len(got) {
			return nil, false
		}
		if strings.HasPrefix(w, "{") && strings.HasSuffix(w, "}") {
			v, err := url.PathUnescape(got[i])
			if err != nil || v == "" {
				return nil, false
			}
			params[w[1:len(w)-1]] = v
			continue
		}
		if w != got[i] {
			return nil, false
		}
	}
	return params, len(want) == len(got)
}
