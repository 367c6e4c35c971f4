package protocol

// The fuzz target for the request decoders drives the Mux with arbitrary
// requests of every protocol and checks that the answer is a well-formed
// response: no panic, no 500 (the test services never fail on their own),
// and an error body the SDK can read. One target covers all four protocols
// because the Mux picks the protocol from the request, routing included:
//
//	go test -run='^$' -fuzz='^FuzzMux$' -fuzztime=5s ./sandbox/protocol

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

// FuzzMux fuzzes every field the Mux reads: method, path, query, the routing
// headers, the signing scope and the body. The seeds are valid requests of
// each protocol, so mutations explore near them.
func FuzzMux(f *testing.F) {
	type seed struct {
		method, path, rawQuery, target, contentType, scope string
		acceptJSON                                         bool
		body                                               string
	}
	const form = "application/x-www-form-urlencoded"
	for _, s := range []seed{
		// JSON 1.1
		{"POST", "/", "", "AmazonSSM.Echo", "application/x-amz-json-1.1", "ssm", false, `{"Name":"/aws/service/x","Names":["a","b"]}`},
		{"POST", "/", "", "AmazonSSM.Echo", "application/x-amz-json-1.1", "", false, ``},
		{"POST", "/", "", "AmazonSSM.Fail", "", "", false, `{"Name":7}`},
		{"POST", "/", "", "AmazonSSM", "text/plain", "ssm", false, `[`},
		// EC2 query
		{"POST", "/", "", "", form, "ec2", false, "Action=Echo&Version=2016-11-15&Name.1=a&Filter.1.Name=n&Filter.1.Value.1=v"},
		{"POST", "/", "", "", "text/xml", "ec2", false, `<?xml version="1.0"?><DescribeImages>&amp;</DescribeImages>`},
		// AWS query, presigned GET and JSON replies included
		{"GET", "/", "Action=Echo&Version=2011-06-15&X-Amz-Credential=AKID%2F20260101%2Fus-east-1%2Fsts%2Faws4_request", "", "", "", true, ""},
		{"POST", "/", "Action=%zz", "", form, "sts", false, "Action=Echo;Version=1"},
		{"POST", "/", "", "", form, "", false, "Action=Fail&Version=2011-06-15&Names.member.1=x"},
		// REST JSON
		{"GET", "/clusters/prod", "", "", "", "eks", false, ""},
		{"POST", "/clusters", "x=1", "", "application/json", "", false, `{"Name":"c"}`},
		{"GET", "/files/a/b%2Fc", "", "", "", "eks", false, ""},
		{"DELETE", "/clusters/x", "a=%zz", "", "", "eks", false, "<x/>"},
	} {
		f.Add(s.method, s.path, s.rawQuery, s.target, s.contentType, s.scope, s.acceptJSON, []byte(s.body))
	}
	m := fuzzMux()
	f.Fuzz(func(t *testing.T, method, path, rawQuery, target, contentType, scope string, acceptJSON bool, body []byte) {
		if !validMethod(method) {
			t.Skip() // net/http rejects such requests before any handler
		}
		h := http.Header{}
		if target != "" {
			h.Set("X-Amz-Target", target)
		}
		if contentType != "" {
			h.Set("Content-Type", contentType)
		}
		if acceptJSON {
			h.Set("Accept", "application/json")
		}
		if scope != "" {
			sign(&http.Request{Header: h}, "eu-west-1", scope)
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
