package awsapi_test

import (
	"errors"
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
