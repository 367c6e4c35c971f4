package protocol_test

// These tests read the Mux's answers with the real aws-sdk-go-v2 clients:
// the sandbox is right when the SDK parses it, not when it matches our own
// idea of the wire format.

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/aws/smithy-go/transport/http/protocol/restjson1"

	"github.com/winami/winami/sandbox/protocol"
)

// failRegion makes every test service fail, so one client config selects
// success and another the error path.
const failRegion = "eu-west-1"

type ec2Region struct {
	RegionName string `xml:"regionName"`
	Endpoint   string `xml:"regionEndpoint"`
}

type describeRegionsResult struct {
	Regions []ec2Region `xml:"regionInfo>item"`
}

type callerIdentity struct {
	Account string `xml:"Account"`
	Arn     string `xml:"Arn"`
	UserID  string `xml:"UserId"`
}

func sdkServices() []*protocol.Service {
	return []*protocol.Service{
		{
			Name: "ssm", Protocol: protocol.JSON11, TargetPrefix: "AmazonSSM",
			InternalCode: "InternalServerError", InternalStatus: 500,
			Operations: map[string]protocol.Handler{
				"GetParameter": func(ctx context.Context, req *protocol.Request) (any, error) {
					var in struct{ Name string }
					if err := protocol.DecodeJSON(req, &in); err != nil {
						return nil, err
					}
					if req.Region == failRegion {
						return nil, protocol.Errorf("ParameterNotFound", "Parameter %s not found.", in.Name)
					}
					return map[string]any{"Parameter": map[string]any{"Name": in.Name, "Value": "ami-0123", "Version": 3}}, nil
				},
			},
		},
		{
			Name: "ec2", Protocol: protocol.EC2Query, APIVersion: "2016-11-15",
			XMLNamespace: "http://ec2.amazonaws.com/doc/2016-11-15/", InternalCode: "InternalError",
			Operations: map[string]protocol.Handler{
				"DescribeRegions": func(ctx context.Context, req *protocol.Request) (any, error) {
					if req.Region == failRegion {
						return nil, protocol.Errorf("InvalidParameterValue", "bad filter %v", protocol.Filters(req))
					}
					return describeRegionsResult{Regions: []ec2Region{{"us-east-1", "ec2.us-east-1.amazonaws.com"}, {"eu-west-1", "ec2.eu-west-1.amazonaws.com"}}}, nil
				},
			},
		},
		{
			Name: "sts", Protocol: protocol.AWSQuery, APIVersion: "2011-06-15",
			XMLNamespace: "https://sts.amazonaws.com/doc/2011-06-15/", InternalCode: "InternalFailure",
			Operations: map[string]protocol.Handler{
				"GetCallerIdentity": func(ctx context.Context, req *protocol.Request) (any, error) {
					if req.Region == failRegion {
						return nil, protocol.Errorf("ExpiredTokenException", "The security token included in the request is expired")
					}
					return callerIdentity{Account: "111122223333", Arn: "arn:aws:iam::111122223333:user/dev", UserID: "AIDAEXAMPLE"}, nil
				},
				"GetSessionToken": func(ctx context.Context, req *protocol.Request) (any, error) {
					return nil, protocol.StatusError(http.StatusInternalServerError, "InternalFailure", "boom")
				},
			},
		},
		{
			Name: "eks", Protocol: protocol.RESTJSON,
			Routes: []protocol.Route{{Method: http.MethodGet, Pattern: "/clusters/{name}", Operation: "DescribeCluster"}},
			Operations: map[string]protocol.Handler{
				"DescribeCluster": func(ctx context.Context, req *protocol.Request) (any, error) {
					return nil, protocol.Errorf("ResourceNotFoundException", "No cluster found for name: %s.", req.PathParams["name"])
				},
			},
		},
	}
}

func sdkConfig(t *testing.T, region string) aws.Config {
	t.Helper()
	srv := httptest.NewServer(protocol.NewMux(protocol.MuxOptions{}, sdkServices()...))
	t.Cleanup(srv.Close)
	return aws.Config{
		Region:           region,
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		BaseEndpoint:     aws.String(srv.URL),
		RetryMaxAttempts: 1, // a retried 5xx would hide what the first answer was
	}
}

func TestSDKParsesSuccesses(t *testing.T) {
	cfg := sdkConfig(t, "us-east-1")
	ctx := t.Context()

	p, err := ssm.NewFromConfig(cfg).GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/a/b")})
	if err != nil || aws.ToString(p.Parameter.Name) != "/a/b" || aws.ToString(p.Parameter.Value) != "ami-0123" || p.Parameter.Version != 3 {
		t.Errorf("ssm GetParameter = %+v, %v", p, err)
	}

	r, err := ec2.NewFromConfig(cfg).DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
	if err != nil || len(r.Regions) != 2 || aws.ToString(r.Regions[1].RegionName) != "eu-west-1" {
		t.Errorf("ec2 DescribeRegions = %+v, %v", r, err)
	}

	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Account) != "111122223333" || aws.ToString(id.UserId) != "AIDAEXAMPLE" {
		t.Errorf("sts GetCallerIdentity = %+v, %v", id, err)
	}
}

func TestSDKParsesErrors(t *testing.T) {
	cfg := sdkConfig(t, failRegion)
	ctx := t.Context()

	_, err := ssm.NewFromConfig(cfg).GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/missing")})
	var notFound *ssmtypes.ParameterNotFound
	if !errors.As(err, &notFound) || notFound.ErrorMessage() != "Parameter /missing not found." {
		t.Errorf("ssm error = %v, want a modeled ParameterNotFound", err)
	}

	_, err = ec2.NewFromConfig(cfg).DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
	checkAPIError(t, "ec2", err, "InvalidParameterValue", 400)

	_, err = sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	var expired *ststypes.ExpiredTokenException
	if !errors.As(err, &expired) {
		t.Errorf("sts error = %v, want a modeled ExpiredTokenException", err)
	}

	_, err = sts.NewFromConfig(cfg).GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	checkAPIError(t, "sts", err, "InternalFailure", 500)

	// An operation the service lacks: EC2 and STS say InvalidAction.
	_, err = ec2.NewFromConfig(cfg).DescribeImages(ctx, &ec2.DescribeImagesInput{})
	checkAPIError(t, "ec2", err, "InvalidAction", 400)
	_, err = sts.NewFromConfig(cfg).GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String("AKIDEXAMPLE")})
	checkAPIError(t, "sts", err, "InvalidAction", 400)
	_, err = ssm.NewFromConfig(cfg).DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: aws.String("x")})
	checkAPIError(t, "ssm", err, "UnknownOperationException", 400)
}

func checkAPIError(t *testing.T, svc string, err error, code string, status int) {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != code {
		t.Errorf("%s error = %v, want code %s", svc, err, code)
	}
	var respErr *smithyhttp.ResponseError
	if !errors.As(err, &respErr) || respErr.HTTPStatusCode() != status {
		t.Errorf("%s error = %v, want HTTP %d", svc, err, status)
	}
}

// No REST JSON client is among the module's dependencies yet, so the REST
// JSON error is read by the SDK's restJson1 protocol implementation itself.
func TestSDKParsesRESTJSONError(t *testing.T) {
	srv := httptest.NewServer(protocol.NewMux(protocol.MuxOptions{}, sdkServices()...))
	defer srv.Close()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/clusters/prod", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/eks/aws4_request, SignedHeaders=host, Signature=00")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	err = restjson1.New(nil).DeserializeResponse(t.Context(), nil, &smithy.TypeRegistry{}, &smithyhttp.Response{Response: resp}, nil)
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ResourceNotFoundException" || apiErr.ErrorMessage() != "No cluster found for name: prod." {
		t.Errorf("restJson1 error = %v", err)
	}
}
