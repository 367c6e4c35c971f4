package protocol

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// echoResult is what the test services answer: enough to see what the Mux
// decoded, encodable by every protocol.
type echoResult struct {
	Service   string   `json:"Service" xml:"service"`
	Region    string   `json:"Region" xml:"region"`
	Operation string   `json:"Operation" xml:"operation"`
	Names     []string `json:"Names,omitempty" xml:"nameSet>item"`
	Name      string   `json:"Name,omitempty" xml:"name,omitempty"`
	Path      string   `json:"Path,omitempty" xml:"path,omitempty"`
}

// decoding handlers exercise the helpers services use on what the Mux let through.
func jsonEcho(ctx context.Context, req *Request) (any, error) {
	var in struct {
		Name  string
		Names []string
	}
	if err := DecodeJSON(req, &in); err != nil {
		return nil, err
	}
	return echoResult{Service: req.Service, Region: req.Region, Operation: req.Operation, Name: in.Name, Names: in.Names}, nil
}

func queryEcho(ctx context.Context, req *Request) (any, error) {
	names := List(req, "Name")
	for _, f := range Filters(req) {
		names = append(names, f.Name)
		names = append(names, f.Values...)
	}
	return echoResult{Service: req.Service, Region: req.Region, Operation: req.Operation, Names: names}, nil
}

func restEcho(ctx context.Context, req *Request) (any, error) {
	var in struct{ Name string }
	if err := DecodeJSON(req, &in); err != nil {
		return nil, err
	}
	return echoResult{Service: req.Service, Region: req.Region, Operation: req.Operation,
		Name: req.PathParams["name"], Path: req.PathParams["path"]}, nil
}

func fail(code string) Handler {
	return func(ctx context.Context, req *Request) (any, error) {
		return nil, Errorf(code, "failed <on purpose> & loudly")
	}
}

func testJSONService() *Service {
	return &Service{
		Name: "ssm", Protocol: JSON11, TargetPrefix: "AmazonSSM",
		ThrottleCode: "ThrottlingException", ThrottleStatus: http.StatusBadRequest,
		InternalCode: "InternalServerError", InternalStatus: http.StatusInternalServerError,
		Operations: map[string]Handler{
			"Echo":  jsonEcho,
			"Fail":  fail("ParameterNotFound"),
			"Panic": func(context.Context, *Request) (any, error) { panic("handler bug") },
			"Plain": func(context.Context, *Request) (any, error) { return nil, errors.New("disk on fire") },
		},
	}
}

func testEC2Service() *Service {
	return &Service{
		Name: "ec2", Protocol: EC2Query, APIVersion: "2016-11-15",
		XMLNamespace: "http://ec2.amazonaws.com/doc/2016-11-15/",
		ThrottleCode: "RequestLimitExceeded", ThrottleStatus: http.StatusServiceUnavailable,
		InternalCode: "InternalError", InternalStatus: http.StatusInternalServerError,
		Operations: map[string]Handler{"Echo": queryEcho, "Fail": fail("InvalidAMIID.NotFound")},
	}
}

func testSTSService() *Service {
	return &Service{
		Name: "sts", Protocol: AWSQuery, APIVersion: "2011-06-15",
		XMLNamespace: "https://sts.amazonaws.com/doc/2011-06-15/",
		ThrottleCode: "Throttling", ThrottleStatus: http.StatusBadRequest,
		InternalCode: "InternalFailure", InternalStatus: http.StatusInternalServerError,
		Operations: map[string]Handler{"Echo": queryEcho, "Fail": fail("ExpiredTokenException")},
	}
}

func testRESTService() *Service {
	return &Service{
		Name: "eks", Protocol: RESTJSON,
		ThrottleCode: "ThrottlingException", ThrottleStatus: http.StatusTooManyRequests,
		InternalCode: "ServerException", InternalStatus: http.StatusInternalServerError,
		Routes: []Route{
			{Method: http.MethodGet, Pattern: "/clusters/{name}", Operation: "DescribeCluster"},
			{Method: http.MethodGet, Pattern: "/clusters/{name}/node-groups", Operation: "ListNodegroups"},
			{Method: http.MethodPost, Pattern: "/clusters", Operation: "CreateCluster", Status: http.StatusCreated},
			{Method: http.MethodGet, Pattern: "/files/{path+}", Operation: "GetFile"},
			{Method: http.MethodDelete, Pattern: "/clusters/{name}", Operation: "Fail"},
		},
		Operations: map[string]Handler{
			"DescribeCluster": restEcho, "ListNodegroups": restEcho, "CreateCluster": restEcho,
			"GetFile": restEcho, "Fail": fail("ResourceNotFoundException"),
		},
	}
}

func testMux(opts MuxOptions) *Mux {
	return NewMux(opts, testJSONService(), testEC2Service(), testSTSService(), testRESTService())
}

// call sends one request straight to the handler.
func call(t testing.TB, h http.Handler, r *http.Request) (*http.Response, []byte) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	resp := rec.Result()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading response: %v", err)
	}
	return resp, body
}

func jsonRequest(target, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	if target != "" {
		r.Header.Set("X-Amz-Target", target)
	}
	return r
}

func formRequest(body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	return r
}

func sign(r *http.Request, region, service string) *http.Request {
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/"+region+"/"+service+
		"/aws4_request, SignedHeaders=host;x-amz-date, Signature=0123abcd")
	return r
}

// parsedError is an error response read the way each protocol's SDK reads it.
type parsedError struct{ Code, Message string }

func parseJSONError(t testing.TB, resp *http.Response, body []byte) parsedError {
	t.Helper()
	var e struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body %q is not JSON: %v", body, err)
	}
	code := resp.Header.Get("X-Amzn-Errortype")
	if code == "" {
		code = e.Type
	}
	return parsedError{Code: code, Message: e.Message}
}

func parseEC2Error(t testing.TB, body []byte) parsedError {
	t.Helper()
	var e struct {
		Code      string `xml:"Errors>Error>Code"`
		Message   string `xml:"Errors>Error>Message"`
		RequestID string `xml:"RequestID"`
	}
	if err := xml.Unmarshal(body, &e); err != nil {
		t.Fatalf("EC2 error body %q is not XML: %v", body, err)
	}
	if e.RequestID == "" {
		t.Errorf("EC2 error body %q has no RequestID", body)
	}
	return parsedError{Code: e.Code, Message: e.Message}
}

func parseQueryError(t testing.TB, body []byte) parsedError {
	t.Helper()
	var e struct {
		XMLName xml.Name `xml:"ErrorResponse"`
		Type    string   `xml:"Error>Type"`
		Code    string   `xml:"Error>Code"`
		Message string   `xml:"Error>Message"`
	}
	if err := xml.Unmarshal(body, &e); err != nil {
		t.Fatalf("AWS query error body %q is not an ErrorResponse: %v", body, err)
	}
	if e.Type != "Sender" && e.Type != "Receiver" {
		t.Errorf("AWS query error Type = %q, want Sender or Receiver", e.Type)
	}
	return parsedError{Code: e.Code, Message: e.Message}
}
