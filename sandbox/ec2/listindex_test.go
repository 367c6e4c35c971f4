package ec2_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// rawEC2 posts an EC2 query request as any client would, signed for
// us-east-1 (the sandbox reads the scope, not the signature), and returns
// the status and body.
func rawEC2(t *testing.T, endpoint string, form url.Values) (int, string) {
	t.Helper()
	form.Set("Version", "2016-11-15")
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, endpoint+"/", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20261128/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=00")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// A list index EC2 cannot read is refused: ignored, ImageId.-1 alone would
// widen DescribeImages to every image.
func TestMalformedListIndexes(t *testing.T) {
	srv, _, _ := startServer(t)
	for _, key := range []string{"ImageId.-1", "ImageId.0", "ImageId.99999999999999999999", "ImageId.+1", "ImageId.", "Filter.-1.Name", "Filter.1.Value.-3", "Owner.1e3"} {
		form := url.Values{"Action": {"DescribeImages"}, key: {"ami-0123456789abcdef0"}}
		if strings.HasPrefix(key, "Filter.1.") {
			form.Set("Filter.1.Name", "image-id")
		}
		status, body := rawEC2(t, srv.URL(), form)
		if status != http.StatusBadRequest || !strings.Contains(body, "<Code>InvalidParameterValue</Code>") || !strings.Contains(body, key) {
			t.Errorf("%s: status %d, body %s; want 400 InvalidParameterValue naming the parameter", key, status, body)
		}
		if strings.Contains(body, "imagesSet") {
			t.Errorf("%s: answered with images", key)
		}
	}
	status, body := rawEC2(t, srv.URL(), url.Values{"Action": {"DescribeImages"}, "ImageId.1": {"ami-0123456789abcdef0"}, "Filter.1.Name": {"state"}, "Filter.1.Value.1": {"available"}})
	if status != http.StatusBadRequest || !strings.Contains(body, "InvalidAMIID.NotFound") {
		t.Errorf("well-formed indexes: status %d, body %s; want the image's own error", status, body)
	}
}

// Thousands of filters are answered with FilterLimitExceeded at once: reading
// them is linear in the request (it was quadratic: 4,990 filters cost seconds).
func TestManyFiltersAnsweredQuickly(t *testing.T) {
	srv, _, _ := startServer(t)
	form := url.Values{"Action": {"DescribeImages"}}
	const n = 4990 // as many as Go's form parser takes (10,000 parameters)
	for i := 1; i <= n; i++ {
		form.Set(fmt.Sprintf("Filter.%d.Name", i), "image-id")
		form.Set(fmt.Sprintf("Filter.%d.Value.1", i), "x")
	}
	start := time.Now()
	status, body := rawEC2(t, srv.URL(), form)
	// Quadratic reading took about two seconds here, linear takes
	// milliseconds; the bound leaves room for a loaded machine (the
	// protocol package's TestFiltersLinear is the sharp test).
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("%d filters took %v", n, took)
	}
	if status != http.StatusBadRequest || !strings.Contains(body, "FilterLimitExceeded") {
		t.Errorf("status %d, body %.300s; want FilterLimitExceeded", status, body)
	}
}
