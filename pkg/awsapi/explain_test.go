package awsapi

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

func opErr(service, op string, err error) error {
	return &smithy.OperationError{ServiceID: service, OperationName: op, Err: err}
}

func apiErr(code string) error {
	return &smithy.GenericAPIError{Code: code, Message: "server says " + code}
}

// httpAPIErr is an API error that came with an HTTP status, as the SDK
// builds it.
func httpAPIErr(status int, code string) error {
	return &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
		Err:      apiErr(code),
	}
}

func TestExplain(t *testing.T) {
	sendErr := func(u string, err error) error {
		return &smithyhttp.RequestSendError{Err: &url.Error{Op: "Post", URL: u, Err: err}}
	}
	tests := []struct {
		name string
		err  error
		want []string // substrings of the explained message; nil = unchanged
	}{
		{name: "access denied ssm", err: opErr("SSM", "GetParameters", apiErr("AccessDeniedException")),
			want: []string{"access denied", "SSM GetParameters", "ssm:GetParameters"}},
		{name: "unauthorized ec2", err: opErr("EC2", "DescribeImages", apiErr("UnauthorizedOperation")),
			want: []string{"ec2:DescribeImages"}},
		{name: "access denied service with space", err: opErr("Auto Scaling", "DescribeAutoScalingGroups", apiErr("AccessDenied")),
			want: []string{"autoscaling:DescribeAutoScalingGroups"}},
		{name: "invalid token", err: opErr("STS", "GetCallerIdentity", apiErr("InvalidClientTokenId")),
			want: []string{"rejected the credentials", "InvalidClientTokenId", "STS GetCallerIdentity", "aws configure"}},
		{name: "unrecognized client", err: opErr("SSM", "GetParameters", apiErr("UnrecognizedClientException")),
			want: []string{"rejected the credentials"}},
		{name: "expired", err: opErr("SSM", "GetParameters", apiErr("ExpiredToken")),
			want: []string{"expired", "aws sso login"}},
		{name: "no credentials", err: opErr("SSM", "GetParameters", &v4.SigningError{Err: fmt.Errorf("failed to retrieve credentials: %w",
			errors.New("failed to refresh cached credentials, no EC2 IMDS role found, operation error ec2imds: GetMetadata"))}),
			want: []string{"no AWS credentials found", "aws configure", "aws sso login", "AWS_PROFILE", "--sandbox"}},
		{name: "dial refused", err: opErr("SSM", "GetParameters", sendErr("http://127.0.0.1:4566/",
			&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")})),
			want: []string{"cannot reach http://127.0.0.1:4566", "connection refused", "--endpoint-url", "AWS_ENDPOINT_URL", "proxy"}},
		{name: "dns", err: opErr("SSM", "GetParameters", sendErr("https://ssm.nowhere.example/",
			&net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "ssm.nowhere.example", IsNotFound: true}})),
			want: []string{"cannot reach https://ssm.nowhere.example", "no such host"}},
		{name: "throttled after retries", err: opErr("SSM", "GetParameters", &retry.MaxAttemptsError{Attempt: 3, Err: apiErr("ThrottlingException")}),
			want: []string{"throttling", "SSM GetParameters", "AWS_MAX_ATTEMPTS"}},
		{name: "ec2 request limit", err: opErr("EC2", "DescribeImages", apiErr("RequestLimitExceeded")),
			want: []string{"throttling", "AWS_MAX_ATTEMPTS"}},
		{name: "region kept", err: &RegionError{Region: "eu-west-1", Err: opErr("SSM", "GetParameters", apiErr("AccessDeniedException"))},
			want: []string{"region eu-west-1: access denied", "ssm:GetParameters"}},
		{name: "throttled names the attempts made and advises more", err: opErr("SSM", "GetParameters", &retry.MaxAttemptsError{Attempt: 10, Err: apiErr("ThrottlingException")}),
			want: []string{"all 10 attempts", "AWS_MAX_ATTEMPTS=20"}},
		{name: "5xx after retries", err: opErr("SSM", "GetParameters", &retry.MaxAttemptsError{Attempt: 10, Err: httpAPIErr(500, "InternalServerError")}),
			want: []string{"error on its side", "InternalServerError", "HTTP 500", "all 10 attempts", "try again later"}},
		{name: "ami not found", err: opErr("EC2", "DescribeImages", &callRegionError{region: "eu-west-1",
			err: &smithy.GenericAPIError{Code: "InvalidAMIID.NotFound", Message: "The image id '[ami-0123456789abcdef0]' does not exist"}}),
			want: []string{"AMI ami-0123456789abcdef0 does not exist in eu-west-1", "not shared with this account", "--region"}},
		{name: "cluster not found", err: opErr("EKS", "DescribeCluster", &callRegionError{region: "us-east-2",
			err: &smithy.GenericAPIError{Code: "ResourceNotFoundException", Message: "No cluster found for name: prod-eks."}}),
			want: []string{`EKS cluster "prod-eks" does not exist in us-east-2`, "aws eks list-clusters --region us-east-2"}},
		{name: "region typo rejected as credentials", err: opErr("SSM", "GetParameters", &callRegionError{region: "us-east-9", err: apiErr("UnrecognizedClientException")}),
			want: []string{`unknown AWS region "us-east-9"`, "did you mean us-east-1?", "--region"}},
		{name: "region typo without DNS name", err: &RegionError{Region: "eu-wset-1", Err: opErr("SSM", "GetParameters", sendErr("https://ssm.eu-wset-1.amazonaws.com/",
			&net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "ssm.eu-wset-1.amazonaws.com", IsNotFound: true}}))},
			want: []string{`unknown AWS region "eu-wset-1" (did you mean eu-west-1?)`}},
		{name: "known region keeps the credentials advice", err: opErr("SSM", "GetParameters", &callRegionError{region: "me-south-1", err: apiErr("UnrecognizedClientException")}),
			want: []string{"rejected the credentials", "not enabled for the account"}},
		{name: "credential provider cannot reach STS", err: opErr("SSM", "GetParameters", fmt.Errorf("get identity: %w", fmt.Errorf("failed to refresh cached credentials, %w",
			opErr("STS", "AssumeRole", sendErr("https://sts.us-east-1.amazonaws.com/", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}))))),
			want: []string{"could not get AWS credentials", "cannot reach https://sts.us-east-1.amazonaws.com"}},
		{name: "other api error unchanged", err: opErr("SSM", "GetParameter", apiErr("ParameterNotFound"))},
		{name: "plain error unchanged", err: errors.New("something else")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Explain(tt.err)
			if tt.want == nil {
				if got != tt.err {
					t.Fatalf("Explain changed an unknown error: %v", got)
				}
				return
			}
			var ex *ExplainedError
			if !errors.As(got, &ex) {
				t.Fatalf("Explain(%v) = %v, want an *ExplainedError", tt.err, got)
			}
			if !errors.Is(got, tt.err) {
				t.Error("explained error does not wrap the original")
			}
			msg := got.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("message is not one line: %q", msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q lacks %q", msg, w)
				}
			}
		})
	}
}

func TestExplainJoinedAndIdempotent(t *testing.T) {
	denied := &RegionError{Region: "us-east-1", Err: opErr("EC2", "DescribeImages", apiErr("UnauthorizedOperation"))}
	other := &RegionError{Region: "eu-west-1", Err: errors.New("boom")}
	got := Explain(errors.Join(denied, other))
	msg := got.Error()
	if !strings.Contains(msg, "region us-east-1: access denied") || !strings.Contains(msg, "region eu-west-1: boom") {
		t.Errorf("joined explanation = %q", msg)
	}
	if !errors.Is(got, denied) || !errors.Is(got, other) {
		t.Error("joined explanation lost an original")
	}
	if again := Explain(got); again.Error() != msg {
		t.Errorf("Explain is not idempotent: %q then %q", msg, again)
	}
	if Explain(nil) != nil {
		t.Error("Explain(nil) != nil")
	}
}

// TestExplainRealSDKErrors checks the phrases Explain matches against errors
// the SDK really produces, so an SDK upgrade that rewords them fails here.
func TestExplainRealSDKErrors(t *testing.T) {
	t.Run("unreachable", func(t *testing.T) {
		isolate(t)
		t.Setenv("AWS_MAX_ATTEMPTS", "1")
		srv := httptest.NewServer(http.NotFoundHandler())
		endpoint := srv.URL
		srv.Close() // nothing listens there any more
		cfg, err := LoadConfig(t.Context(), Options{Region: "us-east-1", EndpointURL: endpoint, StaticCredentials: dummyCreds()})
		if err != nil {
			t.Fatal(err)
		}
		err = Explain(getParameter(t.Context(), NewClients(cfg).SSM("")))
		if err == nil || !strings.HasPrefix(err.Error(), "cannot reach "+endpoint) {
			t.Fatalf("got %v, want cannot reach %s", err, endpoint)
		}
	})
	t.Run("no credentials", func(t *testing.T) {
		isolate(t)
		r := newRecorder(t, http.StatusOK)
		cfg, err := LoadConfig(t.Context(), Options{Region: "us-east-1", EndpointURL: r.srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		err = Explain(getParameter(t.Context(), NewClients(cfg).SSM("")))
		if err == nil || !strings.HasPrefix(err.Error(), "no AWS credentials found") {
			t.Fatalf("got %v, want no AWS credentials found", err)
		}
		if r.hits.Load() != 0 {
			t.Error("an unsigned request reached the server")
		}
	})
	t.Run("access denied", func(t *testing.T) {
		isolate(t)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"__type":"AccessDeniedException","message":"not allowed"}`))
		}))
		t.Cleanup(srv.Close)
		cfg, err := LoadConfig(t.Context(), Options{Region: "us-east-1", EndpointURL: srv.URL, StaticCredentials: dummyCreds()})
		if err != nil {
			t.Fatal(err)
		}
		err = Explain(getParameter(t.Context(), NewClients(cfg).SSM("")))
		if err == nil || !strings.Contains(err.Error(), "ssm:GetParameter") {
			t.Fatalf("got %v, want a message naming ssm:GetParameter", err)
		}
	})
}

// TestExplainRegionOfTheCall: the region a call was sent to reaches Explain
// through the SDK's own stack, without the caller naming it.
func TestExplainRegionOfTheCall(t *testing.T) {
	isolate(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"__type":"UnrecognizedClientException","message":"The security token included in the request is invalid."}`))
	}))
	t.Cleanup(srv.Close)
	cfg, err := LoadConfig(t.Context(), Options{Region: "us-east-9", EndpointURL: srv.URL, StaticCredentials: dummyCreds()})
	if err != nil {
		t.Fatal(err)
	}
	raw := getParameter(t.Context(), NewClients(cfg).SSM(""))
	if raw == nil || !strings.Contains(raw.Error(), "UnrecognizedClientException") {
		t.Fatalf("the recorded region changed the SDK's text: %v", raw)
	}
	err = Explain(raw)
	if want := `unknown AWS region "us-east-9" (did you mean us-east-1?)`; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("got %v, want %s", err, want)
	}
	if !HasCode(err, "UnrecognizedClientException") {
		t.Error("the explained error lost the API error")
	}
	// The same answer in a region winami knows is about credentials.
	err = Explain(getParameter(t.Context(), NewClients(cfg).SSM("eu-west-1")))
	if err == nil || !strings.HasPrefix(err.Error(), "AWS rejected the credentials") {
		t.Fatalf("got %v, want rejected credentials", err)
	}
}

func TestIsUnreachable(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}
	if !IsUnreachable(opErr("STS", "GetCallerIdentity", refused)) {
		t.Error("a refused connection is unreachable")
	}
	if IsUnreachable(opErr("STS", "GetCallerIdentity", apiErr("InvalidClientTokenId"))) {
		t.Error("an answer is not unreachable")
	}
	noIMDS := fmt.Errorf("failed to refresh cached credentials, no EC2 IMDS role found, operation error ec2imds: GetMetadata, %w", refused)
	if IsUnreachable(noIMDS) {
		t.Error("IMDS off EC2 is missing credentials, not an unreachable endpoint")
	}
}
