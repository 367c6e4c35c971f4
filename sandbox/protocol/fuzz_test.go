package protocol

// Fuzz targets for the request decoders. Each drives the Mux with arbitrary
// bodies and headers and checks that the answer is a well-formed response of
// the protocol: no panic, no 500 (the test services never fail on their own),
// and an error body the SDK can read. Run one at a time:
//
//	go test -run='^$' -fuzz='^FuzzJSON11$' -fuzztime=5s ./sandbox/protocol
//	go test -run='^$' -fuzz='^FuzzQuery$' -fuzztime=5s ./sandbox/protocol
//	go test -run='^$' -fuzz='^FuzzREST$' -fuzztime=5s ./sandbox/protocol

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"
	"testing"
)

func fuzzMux() *Mux { return testMux(MuxOptions{MaxBodyBytes: 4096}) }

// rawRequest builds a request without httptest.NewRequest, which panics on
// the malformed targets a fuzzer produces.
func rawRequest(method, path, rawQuery string, header http.Header, body []byte) *http.Request {
	r := &http.Request{
		Method:        method,
		URL:           &url.URL{Path: path, RawQuery: rawQuery},
		Header:        header,
		Body:          http.NoBody,
		ContentLength: int64(len(body)),
		Host:          "sandbox.test",
	}
	if len(body) > 0 {
		r.Body = readCloser(string(body))
	}
	return r
}

func checkAnswer(t *testing.T, resp *http.Response, body []byte) {
	t.Helper()
	if resp.StatusCode >= 500 {
		t.Fatalf("status %d for a malformed request: %s", resp.StatusCode, body)
	}
	ct := resp.Header.Get("Content-Type")
	switch {
	case ct == "application/x-amz-json-1.1" || ct == "application/json":
		var v map[string]any
		if err := json.Unmarshal(body, &v); err != nil {
			t.Fatalf("%s body %q: %v", ct, body, err)
		}
		if resp.StatusCode >= 300 && v["__type"] == nil && resp.Header.Get("X-Amzn-Errortype") == "" && v["Error"] == nil {
			t.Fatalf("JSON error without a code: %s", body)
		}
	case resp.StatusCode >= 300 && bytes.Contains(body, []byte("<Response>")):
		if e := parseEC2Error(t, body); e.Code == "" {
			t.Fatalf("EC2 error without a code: %s", body)
		}
	case resp.StatusCode >= 300:
		if e := parseQueryError(t, body); e.Code == "" {
			t.Fatalf("AWS query error without a code: %s", body)
		}
	default:
		if err := xml.Unmarshal(body, new(struct{})); err != nil {
			t.Fatalf("XML body %q: %v", body, err)
		}
	}
}

func FuzzJSON11(f *testing.F) {
	f.Add("AmazonSSM.Echo", "application/x-amz-json-1.1", []byte(`{"Name":"/aws/service/x","Names":["a","b"]}`), true)
	f.Add("AmazonSSM.Echo", "application/x-amz-json-1.1", []byte(``), false)
	f.Add("AmazonSSM.Fail", "", []byte(`{"Name":7}`), false)
	f.Add("AmazonSSM", "text/plain", []byte(`[`), true)
	f.Add("AmazonSSM.Echo", "application/json", []byte(`{"Name":"\ud800"}`), false)
	m := fuzzMux()
	f.Fuzz(func(t *testing.T, target, contentType string, body []byte, signed bool) {
		h := http.Header{"X-Amz-Target": {target}, "Content-Type": {contentType}}
		if signed {
			sign(&http.Request{Header: h}, "eu-west-1", "ssm")
		}
		resp, out := call(t, m, rawRequest(http.MethodPost, "/", "", h, body))
		checkAnswer(t, resp, out)
	})
}

func FuzzQuery(f *testing.F) {
	f.Add("", "application/x-www-form-urlencoded", []byte("Action=Echo&Version=2016-11-15&Name.1=a&Filter.1.Name=n&Filter.1.Value.1=v"), "ec2")
	f.Add("Action=Echo&Version=2011-06-15", "", []byte(""), "sts")
	f.Add("", "application/x-www-form-urlencoded", []byte("Action=Fail&Version=2011-06-15&Names.member.1=x"), "")
	f.Add("", "text/xml", []byte(`<?xml version="1.0"?><DescribeImages>&amp;</DescribeImages>`), "ec2")
	f.Add("Action=%zz", "application/x-www-form-urlencoded", []byte("Action=Echo;Version=1"), "sts")
	m := fuzzMux()
	f.Fuzz(func(t *testing.T, rawQuery, contentType string, body []byte, scope string) {
		h := http.Header{"Content-Type": {contentType}}
		if scope != "" {
			sign(&http.Request{Header: h}, "us-west-2", scope)
		}
		resp, out := call(t, m, rawRequest(http.MethodPost, "/", rawQuery, h, body))
		checkAnswer(t, resp, out)
	})
}

func FuzzREST(f *testing.F) {
	f.Add("GET", "/clusters/prod", "", []byte(""), true)
	f.Add("POST", "/clusters", "x=1", []byte(`{"Name":"c"}`), false)
	f.Add("GET", "/files/a/b%2Fc", "", []byte(""), true)
	f.Add("DELETE", "/clusters/x", "a=%zz", []byte("<x/>"), true)
	f.Add("PUT", "//clusters//", "", []byte("null"), false)
	m := fuzzMux()
	f.Fuzz(func(t *testing.T, method, path, rawQuery string, body []byte, signed bool) {
		if !validMethod(method) {
			t.Skip() // net/http rejects such requests before any handler
		}
		h := http.Header{"Content-Type": {"application/json"}}
		if signed {
			sign(&http.Request{Header: h}, "eu-central-1", "eks")
		}
		resp, out := call(t, m, rawRequest(method, path, rawQuery, h, body))
		checkAnswer(t, resp, out)
	})
}

func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for _, c := range m {
		if c <= ' ' || c >= 0x7f || c == '(' || c == ')' || c == '<' || c == '>' || c == '@' || c == ',' ||
			c == ';' || c == ':' || c == '\\' || c == '"' || c == '/' || c == '[' || c == ']' || c == '?' ||
			c == '=' || c == '{' || c == '}' {
			return false
		}
	}
	return true
}
