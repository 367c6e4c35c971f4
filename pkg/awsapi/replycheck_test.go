package awsapi_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/test/hostile"
)

// TestNotAWSIsNotAnEmptyAnswer: a 200 reply from something that is not AWS
// (an HTML page, stray JSON, an empty document) is an error, not an empty
// list that winami would report as "nothing found".
func TestNotAWSIsNotAnEmptyAnswer(t *testing.T) {
	for name, url := range map[string]string{
		"html page":  hostile.Reply(t, 200, "text/html", hostile.HTMLPage),
		"stray json": hostile.Reply(t, 200, "application/json", `{"a":1}`),
		"empty json": hostile.Reply(t, 200, "application/json", `{}`),
	} {
		t.Setenv("AWS_ACCESS_KEY_ID", "a")
		t.Setenv("AWS_SECRET_ACCESS_KEY", "b")
		t.Setenv("AWS_MAX_ATTEMPTS", "1")
		cfg, err := awsapi.LoadConfig(t.Context(), awsapi.Options{Region: "us-east-1", EndpointURL: url})
		if err != nil {
			t.Fatal(err)
		}
		var inc *awsapi.IncompleteReplyError
		_, err = ec2.NewFromConfig(cfg).DescribeImages(t.Context(), &ec2.DescribeImagesInput{Owners: []string{"amazon"}})
		if !errors.As(err, &inc) {
			t.Errorf("%s: EC2 DescribeImages = %v; want an IncompleteReplyError", name, err)
		}
		_, err = ssm.NewFromConfig(cfg).GetParameters(t.Context(), &ssm.GetParametersInput{Names: []string{"/a"}})
		if name != "html page" && !errors.As(err, &inc) { // HTML fails to decode as JSON already
			t.Errorf("%s: SSM GetParameters = %v; want an IncompleteReplyError", name, err)
		}
		_, err = imagebuilder.NewFromConfig(cfg).ListImagePipelines(t.Context(), &imagebuilder.ListImagePipelinesInput{MaxResults: aws.Int32(25)})
		if name != "html page" && !errors.As(err, &inc) {
			t.Errorf("%s: Image Builder ListImagePipelines = %v; want an IncompleteReplyError", name, err)
		}
	}
}

// TestRepeatedPageTokenStops: a server that answers every page with the
// token it was sent would make a paginator loop for ever.
func TestRepeatedPageTokenStops(t *testing.T) {
	url := hostile.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var in struct{ NextToken string }
		_ = json.Unmarshal(body, &in)
		w.Header().Set("X-Amzn-Requestid", "req-1")
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		fmt.Fprintf(w, `{"Parameters":[{"Name":"/a","Value":"v"}],"NextToken":"same"}`)
	}))
	t.Setenv("AWS_ACCESS_KEY_ID", "a")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "b")
	cfg, err := awsapi.LoadConfig(t.Context(), awsapi.Options{Region: "us-east-1", EndpointURL: url})
	if err != nil {
		t.Fatal(err)
	}
	p := ssm.NewGetParametersByPathPaginator(ssm.NewFromConfig(cfg), &ssm.GetParametersByPathInput{Path: aws.String("/")})
	pages := 0
	for p.HasMorePages() && pages < 100 {
		if _, err = p.NextPage(t.Context()); err != nil {
			break
		}
		pages++
	}
	var rep *awsapi.RepeatedPageTokenError
	if !errors.As(err, &rep) || pages != 1 {
		t.Fatalf("after %d pages: %v; want a RepeatedPageTokenError on the second page", pages, err)
	}
}
