package protocol

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func decodeEcho(t *testing.T, resp *http.Response, body []byte) echoResult {
	t.Helper()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("status %d, body %s", resp.StatusCode, body)
	}
	var out echoResult
	if strings.Contains(resp.Header.Get("Content-Type"), "json") {
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatalf("decoding %s: %v", body, err)
		}
		return out
	}
	// Both query protocols: the echo fields sit inside the Response (EC2) or
	// the Result (AWS query) element.
	var wrapped struct {
		echoResult
		Result echoResult `xml:"EchoResult"`
	}
	if err := xml.Unmarshal(body, &wrapped); err != nil {
		t.Fatalf("decoding %s: %v", body, err)
	}
	if wrapped.Result.Service != "" {
		return wrapped.Result
	}
	return wrapped.echoResult
}

func TestRouting(t *testing.T) {
	m := testMux(MuxOptions{DefaultRegion: "us-east-1"})
	tests := []struct {
		name        string
		req         *http.Request
		wantService string
		wantRegion  string
	}{
		{"signed JSON picks service and region from the scope",
			sign(jsonRequest("AmazonSSM.Echo", `{}`), "eu-west-1", "ssm"), "ssm", "eu-west-1"},
		{"signed EC2 query",
			sign(formRequest("Action=Echo&Version=2016-11-15"), "ap-southeast-1", "ec2"), "ec2", "ap-southeast-1"},
		{"signed AWS query",
			sign(formRequest("Action=Echo&Version=2011-06-15"), "us-west-2", "sts"), "sts", "us-west-2"},
		{"signed REST",
			sign(httptest.NewRequest(http.MethodGet, "/clusters/prod", nil), "eu-central-1", "eks"), "eks", "eu-central-1"},
		{"presigned URL carries the scope in the query",
			httptest.NewRequest(http.MethodGet, "/?Action=Echo&Version=2011-06-15&X-Amz-Credential=AKID%2F20260101%2Fap-northeast-1%2Fsts%2Faws4_request&X-Amz-Signature=00", nil),
			"sts", "ap-northeast-1"},
		{"unsigned JSON routes by X-Amz-Target", jsonRequest("AmazonSSM.Echo", ``), "ssm", "us-east-1"},
		{"unsigned query routes by Version in the body", formRequest("Action=Echo&Version=2016-11-15"), "ec2", "us-east-1"},
		{"unsigned query routes by Version in the URL",
			httptest.NewRequest(http.MethodGet, "/?Action=Echo&Version=2011-06-15", nil), "sts", "us-east-1"},
		{"unsigned REST routes by path", httptest.NewRequest(http.MethodGet, "/clusters/a/node-groups", nil), "eks", "us-east-1"},
		{"a malformed region in the scope falls back to the default",
			sign(jsonRequest("AmazonSSM.Echo", `{}`), "EU_WEST<1>", "ssm"), "ssm", "us-east-1"},
		{"the scope wins over a conflicting target",
			withHeader(sign(formRequest("Action=Echo&Version=2016-11-15"), "eu-west-1", "ec2"), "X-Amz-Target", "AmazonSSM.Echo"),
			"ec2", "eu-west-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := call(t, m, tt.req)
			got := decodeEcho(t, resp, body)
			if got.Service != tt.wantService || got.Region != tt.wantRegion || got.Operation == "" {
				t.Errorf("routed to %+v, want service %s region %s", got, tt.wantService, tt.wantRegion)
			}
		})
	}
}

func withHeader(r *http.Request, k, v string) *http.Request {
	r.Header.Set(k, v)
	return r
}

func TestRoutingUnknownService(t *testing.T) {
	m := testMux(MuxOptions{})
	tests := []struct {
		name string
		req  *http.Request
	}{
		{"nothing to route on", httptest.NewRequest(http.MethodPost, "/", strings.NewReader("hello"))},
		{"unknown target prefix", jsonRequest("AmazonEC2ContainerRegistry_V20150921.ListImages", `{}`)},
		{"unknown query version", formRequest("Action=ListUsers&Version=2010-05-08")},
		// A scope names its service: a body shaped like EC2's must not send an
		// IAM call to EC2.
		{"signed for a service the sandbox lacks", sign(formRequest("Action=Echo&Version=2016-11-15"), "us-east-1", "iam")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := call(t, m, tt.req)
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("status %d, want 400", resp.StatusCode)
			}
			if e := parseJSONError(t, resp, body); e.Code != "UnknownServiceException" {
				t.Errorf("code %q, want UnknownServiceException", e.Code)
			}
		})
	}
}

func TestErrorShapes(t *testing.T) {
	m := testMux(MuxOptions{})
	t.Run("json1.1", func(t *testing.T) {
		resp, body := call(t, m, jsonRequest("AmazonSSM.Fail", `{}`))
		if ct := resp.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
			t.Errorf("Content-Type %q", ct)
		}
		checkError(t, resp.StatusCode, 400, parseJSONError(t, resp, body), "ParameterNotFound")
	})
	t.Run("ec2query", func(t *testing.T) {
		resp, body := call(t, m, formRequest("Action=Fail&Version=2016-11-15"))
		checkError(t, resp.StatusCode, 400, parseEC2Error(t, body), "InvalidAMIID.NotFound")
	})
	t.Run("awsquery", func(t *testing.T) {
		resp, body := call(t, m, formRequest("Action=Fail&Version=2011-06-15"))
		checkError(t, resp.StatusCode, 400, parseQueryError(t, body), "ExpiredTokenException")
	})
	t.Run("awsquery as JSON", func(t *testing.T) {
		r := formRequest("Action=Fail&Version=2011-06-15")
		r.Header.Set("Accept", "application/json")
		resp, body := call(t, m, r)
		var e struct {
			Error     struct{ Type, Code, Message string }
			RequestID string `json:"RequestId"`
		}
		if err := json.Unmarshal(body, &e); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if resp.StatusCode != 400 || e.Error.Code != "ExpiredTokenException" || e.Error.Type != "Sender" || e.RequestID == "" {
			t.Errorf("status %d body %s", resp.StatusCode, body)
		}
	})
	t.Run("restjson", func(t *testing.T) {
		resp, body := call(t, m, httptest.NewRequest(http.MethodDelete, "/clusters/x", nil))
		if resp.Header.Get("X-Amzn-Errortype") != "ResourceNotFoundException" {
			t.Errorf("X-Amzn-ErrorType header = %q", resp.Header.Get("X-Amzn-Errortype"))
		}
		checkError(t, resp.StatusCode, 400, parseJSONError(t, resp, body), "ResourceNotFoundException")
	})
}

func checkError(t *testing.T, status, wantStatus int, got parsedError, wantCode string) {
	t.Helper()
	if status != wantStatus || got.Code != wantCode {
		t.Errorf("got %d %+v, want %d %s", status, got, wantStatus, wantCode)
	}
	if got.Message != "failed <on purpose> & loudly" {
		t.Errorf("message %q did not survive escaping", got.Message)
	}
}

// TestMalformedRequests: every malformed request gets its protocol's error,
// never a 500.
func TestMalformedRequests(t *testing.T) {
	m := testMux(MuxOptions{})
	type shape int
	const (
		jsonShape shape = iota
		ec2Shape
		queryShape
	)
	tests := []struct {
		name       string
		req        *http.Request
		shape      shape
		wantStatus int
		wantCode   string
	}{
		{"JSON body is not JSON", jsonRequest("AmazonSSM.Echo", `{"Name": `), jsonShape, 400, "SerializationException"},
		{"JSON body is an array", jsonRequest("AmazonSSM.Echo", `[1]`), jsonShape, 400, "SerializationException"},
		{"JSON body is null", jsonRequest("AmazonSSM.Echo", `null`), jsonShape, 400, "SerializationException"},
		{"JSON body has trailing garbage", jsonRequest("AmazonSSM.Echo", `{} {}`), jsonShape, 400, "SerializationException"},
		{"JSON field of the wrong type", jsonRequest("AmazonSSM.Echo", `{"Name": 7}`), jsonShape, 400, "SerializationException"},
		{"JSON target without operation", sign(jsonRequest("AmazonSSM", `{}`), "us-east-1", "ssm"), jsonShape, 400, "UnknownOperationException"},
		{"JSON unknown operation", jsonRequest("AmazonSSM.Nope", `{}`), jsonShape, 400, "UnknownOperationException"},
		{"JSON target of another service", sign(jsonRequest("AmazonEC2ContainerRegistry_V20150921.Echo", `{}`), "us-east-1", "ssm"), jsonShape, 400, "UnknownOperationException"},
		{"JSON GET", sign(httptest.NewRequest(http.MethodGet, "/", nil), "us-east-1", "ssm"), jsonShape, 400, "UnknownOperationException"},
		{"JSON handler panics", jsonRequest("AmazonSSM.Panic", `{}`), jsonShape, 500, "InternalServerError"},
		{"JSON handler fails", jsonRequest("AmazonSSM.Plain", `{}`), jsonShape, 500, "InternalServerError"},
		{"EC2 body is XML", sign(formRequest(`<?xml version="1.0"?><DescribeImages><x>&amp;</x></DescribeImages>`), "us-east-1", "ec2"), ec2Shape, 404, "MalformedQueryString"},
		{"EC2 body is XML without entities", sign(formRequest(`<DescribeImages/>`), "us-east-1", "ec2"), ec2Shape, 400, "MissingAction"},
		{"EC2 bad escape", sign(formRequest(`Action=Echo&Name.1=%zz`), "us-east-1", "ec2"), ec2Shape, 404, "MalformedQueryString"},
		{"EC2 unknown action", formRequest("Action=Nope&Version=2016-11-15"), ec2Shape, 400, "InvalidAction"},
		{"EC2 other version", sign(formRequest("Action=Echo&Version=2014-01-01"), "us-east-1", "ec2"), ec2Shape, 400, "NoSuchVersion"},
		{"AWS query body is XML", sign(formRequest(`<GetCallerIdentity/>`), "us-east-1", "sts"), queryShape, 400, "MissingAction"},
		{"AWS query bad escape in URL", sign(httptest.NewRequest(http.MethodGet, "/?Action=Echo&x=%zz", nil), "us-east-1", "sts"), queryShape, 404, "MalformedQueryString"},
		{"AWS query unknown action", formRequest("Action=Nope&Version=2011-06-15"), queryShape, 400, "InvalidAction"},
		{"AWS query other version", sign(formRequest("Action=Echo&Version=2010-05-08"), "us-east-1", "sts"), queryShape, 400, "InvalidAction"},
		{"REST unknown route", sign(httptest.NewRequest(http.MethodPut, "/clusters/x", nil), "us-east-1", "eks"), jsonShape, 404, "UnknownOperationException"},
		{"REST body is not JSON", sign(httptest.NewRequest(http.MethodPost, "/clusters", strings.NewReader("<x/>")), "us-east-1", "eks"), jsonShape, 400, "SerializationException"},
		{"REST bad query string", sign(httptest.NewRequest(http.MethodGet, "/clusters/x?a=%zz", nil), "us-east-1", "eks"), jsonShape, 400, "SerializationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := call(t, m, tt.req)
			var got parsedError
			switch tt.shape {
			case jsonShape:
				got = parseJSONError(t, resp, body)
			case ec2Shape:
				got = parseEC2Error(t, body)
			case queryShape:
				got = parseQueryError(t, body)
			}
			if resp.StatusCode != tt.wantStatus || got.Code != tt.wantCode {
				t.Errorf("got %d %+v, want %d %s; body %s", resp.StatusCode, got, tt.wantStatus, tt.wantCode, body)
			}
		})
	}
}

func TestBodyLimit(t *testing.T) {
	m := testMux(MuxOptions{MaxBodyBytes: 64})
	big := strings.Repeat("a", 65)
	tests := []struct {
		name  string
		req   *http.Request
		parse func(*http.Response, []byte) parsedError
	}{
		{"json1.1", jsonRequest("AmazonSSM.Echo", `{"Name":"`+big+`"}`), func(r *http.Response, b []byte) parsedError { return parseJSONError(t, r, b) }},
		{"ec2query", sign(formRequest("Action=Echo&Name.1="+big), "us-east-1", "ec2"), func(_ *http.Response, b []byte) parsedError { return parseEC2Error(t, b) }},
		{"awsquery", sign(formRequest("Action=Echo&Name.1="+big), "us-east-1", "sts"), func(_ *http.Response, b []byte) parsedError { return parseQueryError(t, b) }},
		{"restjson", sign(httptest.NewRequest(http.MethodPost, "/clusters", strings.NewReader(`{"Name":"`+big+`"}`)), "us-east-1", "eks"), func(r *http.Response, b []byte) parsedError { return parseJSONError(t, r, b) }},
		// Unsigned and routed by a Version inside the unread body: no service
		// is known, so the generic shape answers, still with 413.
		{"unroutable", formRequest("Action=Echo&Version=2016-11-15&Name.1=" + big), func(r *http.Response, b []byte) parsedError { return parseJSONError(t, r, b) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, err := readAllString(tt.req)
			if err != nil {
				t.Fatal(err)
			}
			for _, chunked := range []bool{false, true} {
				req := tt.req.Clone(context.Background())
				req.Body = readCloser(body)
				req.ContentLength = int64(len(body))
				if chunked {
					req.ContentLength = -1 // the size is known only once read
				}
				resp, out := call(t, m, req)
				got := tt.parse(resp, out)
				if resp.StatusCode != http.StatusRequestEntityTooLarge || got.Code != "RequestEntityTooLarge" {
					t.Errorf("chunked=%v: got %d %+v", chunked, resp.StatusCode, got)
				}
			}
		})
	}
	// At the limit is fine.
	resp, body := call(t, m, jsonRequest("AmazonSSM.Echo", `{"Name":"`+strings.Repeat("a", 64-11)+`"}`))
	if resp.StatusCode != 200 {
		t.Errorf("body of exactly the limit: %d %s", resp.StatusCode, body)
	}
}

func readAllString(r *http.Request) (string, error) {
	var b bytes.Buffer
	_, err := b.ReadFrom(r.Body)
	return b.String(), err
}

type nopCloser struct{ *strings.Reader }

func (nopCloser) Close() error { return nil }

func readCloser(s string) nopCloser { return nopCloser{strings.NewReader(s)} }

func TestQueryResponseWrapping(t *testing.T) {
	m := testMux(MuxOptions{})
	t.Run("ec2query", func(t *testing.T) {
		_, body := call(t, m, formRequest("Action=Echo&Version=2016-11-15&Name.2=b&Name.1=a"))
		want := `<EchoResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>`
		if !bytes.Contains(body, []byte(want)) || !bytes.Contains(body, []byte(`<nameSet><item>a</item><item>b</item></nameSet>`)) {
			t.Errorf("body %s", body)
		}
	})
	t.Run("awsquery", func(t *testing.T) {
		_, body := call(t, m, formRequest("Action=Echo&Version=2011-06-15"))
		for _, want := range []string{
			`<EchoResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><EchoResult><service>sts</service>`,
			`</EchoResult><ResponseMetadata><RequestId>`,
		} {
			if !bytes.Contains(body, []byte(want)) {
				t.Errorf("body %s lacks %s", body, want)
			}
		}
	})
	t.Run("awsquery as JSON", func(t *testing.T) {
		r := formRequest("Action=Echo&Version=2011-06-15")
		r.Header.Set("Accept", "application/json")
		resp, body := call(t, m, r)
		var out struct {
			EchoResponse struct {
				EchoResult       echoResult
				ResponseMetadata struct{ RequestId string }
			}
		}
		if err := json.Unmarshal(body, &out); err != nil || out.EchoResponse.EchoResult.Service != "sts" ||
			out.EchoResponse.ResponseMetadata.RequestId == "" || resp.Header.Get("Content-Type") != "application/json" {
			t.Errorf("body %s (%v)", body, err)
		}
	})
	t.Run("restjson status from the route", func(t *testing.T) {
		resp, body := call(t, m, httptest.NewRequest(http.MethodPost, "/clusters", strings.NewReader(`{"Name":"x"}`)))
		if resp.StatusCode != http.StatusCreated {
			t.Errorf("status %d body %s", resp.StatusCode, body)
		}
	})
}

func TestInterceptor(t *testing.T) {
	var seen []string
	m := NewMux(MuxOptions{Intercept: func(ctx context.Context, svc *Service, req *Request) error {
		seen = append(seen, svc.Name+"."+req.Operation)
		if req.Operation == "Echo" {
			return svc.ThrottleError()
		}
		return nil
	}}, testJSONService(), testEC2Service())
	resp, body := call(t, m, jsonRequest("AmazonSSM.Echo", `{}`))
	if e := parseJSONError(t, resp, body); resp.StatusCode != 400 || e.Code != "ThrottlingException" {
		t.Errorf("got %d %+v", resp.StatusCode, e)
	}
	resp, body = call(t, m, formRequest("Action=Echo&Version=2016-11-15"))
	if e := parseEC2Error(t, body); resp.StatusCode != 503 || e.Code != "RequestLimitExceeded" {
		t.Errorf("got %d %+v", resp.StatusCode, e)
	}
	// A malformed request is answered before the interceptor sees it.
	call(t, m, jsonRequest("AmazonSSM.Echo", `{`))
	if want := []string{"ssm.Echo", "ec2.Echo"}; strings.Join(seen, ",") != strings.Join(want, ",") {
		t.Errorf("interceptor saw %v, want %v", seen, want)
	}
}
