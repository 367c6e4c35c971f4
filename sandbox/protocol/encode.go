package protocol

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
)

// StatusCoder lets a RESTJSON result choose its success status.
type StatusCoder interface{ HTTPStatus() int }

func writeResult(w http.ResponseWriter, svc *Service, req *Request, result any, bufs *BufferPool) {
	w.Header().Set("X-Amzn-Requestid", req.RequestID)
	var (
		body        []byte
		err         error
		contentType string
		status      = http.StatusOK
	)
	switch {
	case svc.Protocol == JSON11 || svc.Protocol == RESTJSON:
		if result == nil {
			result = struct{}{}
		}
		body, err = json.Marshal(result)
		contentType = "application/x-amz-json-1.1"
		if svc.Protocol == RESTJSON {
			contentType = "application/json"
			if sc, ok := result.(StatusCoder); ok {
				status = sc.HTTPStatus()
			} else if route, ok := findRoute(svc, req.Operation); ok && route.Status != 0 {
				status = route.Status
			}
		}
	case svc.Protocol == AWSQuery && wantsJSON(req.Header):
		body, err = queryJSONResult(req, result)
		contentType = "application/json"
	default:
		// The reply is built in a recycled buffer, given back once written
		// (a Write never keeps its bytes).
		buf := bufs.Get()
		defer bufs.Put(buf)
		*buf, err = appendQueryXML(*buf, svc, req, result)
		body = *buf
		contentType = "text/xml;charset=UTF-8"
	}
	if err != nil {
		writeError(w, svc, req, svc.InternalError("encoding response: %v", err))
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// appendQueryXML appends a result wrapped as both query protocols do: EC2
// puts a requestId beside the fields, AWS query nests them in <OpResult>
// followed by <ResponseMetadata>.
func appendQueryXML(b []byte, svc *Service, req *Request, result any) ([]byte, error) {
	var inner []byte
	if pooled, ok := result.(PooledXML); ok {
		inner = *pooled.Buf
		defer pooled.Pool.Put(pooled.Buf) // copied into b below
	} else {
		var err error
		if inner, err = innerXML(result); err != nil {
			return nil, err
		}
	}
	b = append(b, xml.Header...)
	b = append(b, `<`+req.Operation+`Response xmlns="`+svc.XMLNamespace+`">`...)
	if svc.Protocol == EC2Query {
		b = append(b, `<requestId>`+req.RequestID+`</requestId>`...)
		b = append(b, inner...)
	} else {
		b = append(b, `<`+req.Operation+`Result>`...)
		b = append(b, inner...)
		b = append(b, `</`+req.Operation+`Result>`...)
		b = append(b, `<ResponseMetadata><RequestId>`+req.RequestID+`</RequestId></ResponseMetadata>`...)
	}
	return append(b, `</`+req.Operation+`Response>`...), nil
}

// queryJSONResult is the JSON form of an AWS query reply, which STS and IAM
// send when the caller accepts only JSON (aws-iam-authenticator does, when it
// verifies an EKS token's presigned GetCallerIdentity).
func queryJSONResult(req *Request, result any) ([]byte, error) {
	if result == nil {
		result = struct{}{}
	}
	return json.Marshal(map[string]any{
		req.Operation + "Response": map[string]any{
			req.Operation + "Result": result,
			"ResponseMetadata":       map[string]string{"RequestId": req.RequestID},
		},
	})
}

// wantsJSON reports an Accept header that names application/json.
func wantsJSON(h http.Header) bool {
	for _, v := range h.Values("Accept") {
		for part := range strings.SplitSeq(v, ",") {
			mt, _, _ := strings.Cut(part, ";")
			if strings.EqualFold(strings.TrimSpace(mt), "application/json") {
				return true
			}
		}
	}
	return false
}

func findRoute(svc *Service, op string) (Route, bool) {
	for _, r := range svc.Routes {
		if r.Operation == op {
			return r, true
		}
	}
	return Route{}, false
}

// RawXML is a result already encoded as the elements of a query reply, for
// operations whose replies are too large for encoding/xml's reflection.
type RawXML []byte

// PooledXML is a RawXML built in a buffer of Pool (DescribeInstances of a
// thousand instances): once copied into the reply, the buffer goes back
// to the pool for the next reply.
type PooledXML struct {
	Buf  *[]byte
	Pool *BufferPool
}

// innerXML marshals v's fields as a sequence of elements, without a wrapper.
func innerXML(v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	if raw, ok := v.(RawXML); ok {
		return raw, nil
	}
	var b bytes.Buffer
	if err := xml.NewEncoder(&b).EncodeElement(v, xml.StartElement{Name: xml.Name{Local: "x"}}); err != nil {
		return nil, err
	}
	out := b.Bytes()
	if len(out) == 0 { // a nil pointer encodes as nothing
		return nil, nil
	}
	inner, ok := bytes.CutPrefix(out, []byte("<x>"))
	if ok {
		inner, ok = bytes.CutSuffix(inner, []byte("</x>"))
	}
	if !ok {
		// Attributes on the result would land on the wrapper and be lost.
		return nil, fmt.Errorf("result %T does not encode as plain XML elements", v)
	}
	return inner, nil
}

func writeError(w http.ResponseWriter, svc *Service, req *Request, e *Error) {
	h := w.Header()
	h.Set("X-Amzn-Requestid", req.RequestID)
	status := e.HTTPStatus()
	var b bytes.Buffer
	switch {
	case svc.Protocol == JSON11:
		h.Set("Content-Type", "application/x-amz-json-1.1")
		b.Write(jsonError(e, true))
	case svc.Protocol == RESTJSON:
		h.Set("Content-Type", "application/json")
		h.Set("X-Amzn-Errortype", e.Code)
		b.Write(jsonError(e, false))
	case svc.Protocol == EC2Query:
		h.Set("Content-Type", "text/xml;charset=UTF-8")
		b.WriteString(xml.Header)
		b.WriteString(`<Response><Errors><Error><Code>`)
		xmlEscape(&b, e.Code)
		b.WriteString(`</Code><Message>`)
		xmlEscape(&b, e.Message)
		b.WriteString(`</Message></Error></Errors><RequestID>` + req.RequestID + `</RequestID></Response>`)
	case svc.Protocol == AWSQuery && wantsJSON(req.Header):
		h.Set("Content-Type", "application/json")
		body, _ := json.Marshal(map[string]any{
			"Error":     map[string]string{"Type": faultType(e), "Code": e.Code, "Message": e.Message},
			"RequestId": req.RequestID,
		})
		b.Write(body)
	default: // AWSQuery
		h.Set("Content-Type", "text/xml")
		b.WriteString(`<ErrorResponse xmlns="` + svc.XMLNamespace + `"><Error><Type>` + faultType(e) + `</Type><Code>`)
		xmlEscape(&b, e.Code)
		b.WriteString(`</Code><Message>`)
		xmlEscape(&b, e.Message)
		b.WriteString(`</Message></Error><RequestId>` + req.RequestID + `</RequestId></ErrorResponse>`)
	}
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

func jsonError(e *Error, withType bool) []byte {
	m := map[string]string{}
	if withType {
		m["__type"] = e.Code
	}
	if e.Message != "" {
		m["message"] = e.Message
	}
	body, _ := json.Marshal(m)
	return body
}

// faultType is AWS query's <Type>: who is to blame.
func faultType(e *Error) string {
	if e.Server {
		return "Receiver"
	}
	return "Sender"
}

// writeUnknownService answers a request no service claims. Nothing tells
// which protocol the caller speaks, so it is plain JSON with the error type
// both in the header (REST JSON) and as __type (JSON 1.x): the two shapes
// SDKs read without knowing the service.
func writeUnknownService(w http.ResponseWriter, requestID string, tooLarge bool, limit int64) {
	code, status := "UnknownServiceException", http.StatusBadRequest
	msg := "The sandbox does not serve this service. Sign requests with SigV4, or set X-Amz-Target, or Action and Version."
	if tooLarge {
		code, status = "RequestEntityTooLarge", http.StatusRequestEntityTooLarge
		msg = fmt.Sprintf("Request body exceeds the limit of %d bytes", limit)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Errortype", code)
	w.Header().Set("X-Amzn-Requestid", requestID)
	w.WriteHeader(status)
	body, _ := json.Marshal(map[string]string{"__type": code, "message": msg})
	_, _ = w.Write(body)
}

func xmlEscape(b *bytes.Buffer, s string) { _ = xml.EscapeText(b, []byte(s)) }
