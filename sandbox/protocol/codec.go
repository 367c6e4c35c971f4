package protocol

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
)

func decodeJSON11(svc *Service, r *http.Request, body []byte, req *Request) error {
	if r.Method != http.MethodPost {
		return Errorf("UnknownOperationException", "JSON 1.1 requests must be POST")
	}
	_, op, _ := strings.Cut(r.Header.Get("X-Amz-Target"), ".")
	if op == "" {
		return Errorf("UnknownOperationException", "missing or malformed X-Amz-Target header")
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

func decodeQuery(svc *Service, r *http.Request, body []byte, req *Request) error {
	params, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return Errorf("MalformedQueryString", "The query string is malformed: %v", err)
	}
	if len(body) > 0 {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return Errorf("MalformedQueryString", "The request body is not a valid form: %v", err)
		}
		for k, v := range form {
			params[k] = append(params[k], v...)
		}
	}
	req.Params = params
	req.Operation = params.Get("Action")
	if req.Operation == "" {
		return Errorf("MissingAction", "The request must contain the parameter Action.")
	}
	if v := params.Get("Version"); v != "" && v != svc.APIVersion {
		return Errorf("InvalidParameterValue", "Version %q is not supported; this service speaks %s", v, svc.APIVersion)
	}
	return nil
}

func decodeREST(svc *Service, r *http.Request, body []byte, req *Request) error {
	route, params, ok := matchRoute(svc.Routes, r.Method, r.URL.EscapedPath())
	if !ok {
		return StatusError(http.StatusNotFound, "UnknownOperationException", "no operation for %s %s", r.Method, r.URL.Path)
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

func checkJSONObject(body []byte) error {
	var obj map[string]json.RawMessage
	return json.Unmarshal(body, &obj)
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
			if err != nil {
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

// StatusCoder lets a RESTJSON result choose its success status.
type StatusCoder interface{ HTTPStatus() int }

func writeResult(w http.ResponseWriter, svc *Service, req *Request, result any) {
	w.Header().Set("X-Amzn-Requestid", req.RequestID)
	switch svc.Protocol {
	case JSON11, RESTJSON:
		if result == nil {
			result = struct{}{}
		}
		body, err := json.Marshal(result)
		if err != nil {
			writeError(w, svc, req, StatusError(svc.internalStatus(), svc.InternalCode, "encoding response: %v", err))
			return
		}
		status := http.StatusOK
		if svc.Protocol == JSON11 {
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		} else {
			w.Header().Set("Content-Type", "application/json")
			if sc, ok := result.(StatusCoder); ok {
				status = sc.HTTPStatus()
			} else if route, ok := findRoute(svc, req.Operation); ok && route.Status != 0 {
				status = route.Status
			}
		}
		w.WriteHeader(status)
		_, _ = w.Write(body)
	case EC2Query, AWSQuery:
		inner, err := innerXML(result)
		if err != nil {
			writeError(w, svc, req, StatusError(svc.internalStatus(), svc.InternalCode, "encoding response: %v", err))
			return
		}
		var b bytes.Buffer
		b.WriteString(xml.Header)
		b.WriteString(`<` + req.Operation + `Response xmlns="` + svc.XMLNamespace + `">`)
		if svc.Protocol == EC2Query {
			b.WriteString(`<requestId>` + req.RequestID + `</requestId>`)
			b.Write(inner)
		} else {
			b.WriteString(`<` + req.Operation + `Result>`)
			b.Write(inner)
			b.WriteString(`</` + req.Operation + `Result>`)
			b.WriteString(`<ResponseMetadata><RequestId>` + req.RequestID + `</RequestId></ResponseMetadata>`)
		}
		b.WriteString(`</` + req.Operation + `Response>`)
		w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(b.Bytes())
	}
}

func findRoute(svc *Service, op string) (Route, bool) {
	for _, r := range svc.Routes {
		if r.Operation == op {
			return r, true
		}
	}
	return Route{}, false
}

// innerXML marshals v's fields as a sequence of elements, without a wrapper.
func innerXML(v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	var b bytes.Buffer
	if err := xml.NewEncoder(&b).EncodeElement(v, xml.StartElement{Name: xml.Name{Local: "x"}}); err != nil {
		return nil, err
	}
	out := b.Bytes()
	out = bytes.TrimPrefix(out, []byte("<x>"))
	out = bytes.TrimSuffix(out, []byte("</x>"))
	return out, nil
}

func writeError(w http.ResponseWriter, svc *Service, req *Request, e *Error) {
	h := w.Header()
	h.Set("X-Amzn-Requestid", req.RequestID)
	status := e.HTTPStatus()
	switch svc.Protocol {
	case JSON11:
		h.Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(status)
		body, _ := json.Marshal(map[string]string{"__type": e.Code, "message": e.Message})
		_, _ = w.Write(body)
	case RESTJSON:
		h.Set("Content-Type", "application/json")
		h.Set("X-Amzn-Errortype", e.Code)
		w.WriteHeader(status)
		body, _ := json.Marshal(map[string]string{"message": e.Message})
		_, _ = w.Write(body)
	case EC2Query:
		h.Set("Content-Type", "text/xml;charset=UTF-8")
		w.WriteHeader(status)
		var b bytes.Buffer
		b.WriteString(xml.Header)
		b.WriteString(`<Response><Errors><Error><Code>`)
		xmlEscape(&b, e.Code)
		b.WriteString(`</Code><Message>`)
		xmlEscape(&b, e.Message)
		b.WriteString(`</Message></Error></Errors><RequestID>` + req.RequestID + `</RequestID></Response>`)
		_, _ = w.Write(b.Bytes())
	case AWSQuery:
		h.Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		kind := "Sender"
		if e.Server {
			kind = "Receiver"
		}
		var b bytes.Buffer
		b.WriteString(`<ErrorResponse xmlns="` + svc.XMLNamespace + `"><Error><Type>` + kind + `</Type><Code>`)
		xmlEscape(&b, e.Code)
		b.WriteString(`</Code><Message>`)
		xmlEscape(&b, e.Message)
		b.WriteString(`</Message></Error><RequestId>` + req.RequestID + `</RequestId></ErrorResponse>`)
		_, _ = w.Write(b.Bytes())
	}
}

// writeUnknownService answers a request no service claims. Nothing tells
// which protocol the caller speaks, so it is plain JSON with the error type
// in the header, which every SDK's error decoder reads.
func writeUnknownService(w http.ResponseWriter, requestID string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Errortype", "UnknownServiceException")
	w.Header().Set("X-Amzn-Requestid", requestID)
	w.WriteHeader(http.StatusBadRequest)
	_, _ = w.Write([]byte(`{"__type":"UnknownServiceException","message":"The sandbox does not serve this service. Sign requests with SigV4 or set X-Amz-Target, Action and Version."}`))
}

func xmlEscape(b *bytes.Buffer, s string) { _ = xml.EscapeText(b, []byte(s)) }
