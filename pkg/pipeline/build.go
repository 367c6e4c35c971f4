package pipeline

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ib "github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/clock"
)

// StartBuild starts one execution of the pipeline and returns the image
// build version ARN. One call makes one build: the client token is new for
// every call, and the SDK's retries of that call reuse it.
func StartBuild(ctx context.Context, api awsapi.ImageBuilderAPI, pipelineARN string) (string, error) {
	var nonce [16]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return "", err
	}
	out, err := api.StartImagePipelineExecution(ctx, &ib.StartImagePipelineExecutionInput{
		ImagePipelineArn: aws.String(pipelineARN),
		ClientToken:      aws.String(hex.EncodeToString(nonce[:])),
	})
	if err != nil {
		return "", fmt.Errorf("starting the pipeline: %w", err)
	}
	return aws.ToString(out.ImageBuildVersionArn), nil
}

// Terminal reports whether an image state is final.
func Terminal(s types.ImageStatus) bool {
	switch s {
	case types.ImageStatusAvailable, types.ImageStatusFailed, types.ImageStatusCancelled,
		types.ImageStatusDeprecated, types.ImageStatusDeleted, types.ImageStatusDisabled:
		return true
	}
	return false
}

// WaitOptions shape Wait.
type WaitOptions struct {
	// Interval between polls; 0 means 15 s.
	Interval time.Duration
	// OnPoll hears every polled state.
	OnPoll func(img *types.Image)
	// Sleep waits between polls; nil means clock.Sleep (the wall clock,
	// honouring ctx).
	Sleep func(ctx context.Context, d time.Duration) error
}

// Wait polls the image until it reaches a final state and returns it.
func Wait(ctx context.Context, api awsapi.ImageBuilderAPI, imageARN string, o WaitOptions) (*types.Image, error) {
	if o.Interval <= 0 {
		o.Interval = 15 * time.Second
	}
	if o.Sleep == nil {
		o.Sleep = clock.Sleep
	}
	for {
		out, err := api.GetImage(ctx, &ib.GetImageInput{ImageBuildVersionArn: aws.String(imageARN)})
		if err != nil {
			return nil, fmt.Errorf("reading build %s: %w", imageARN, err)
		}
		img := out.Image
		if o.OnPoll != nil {
			o.OnPoll(img)
		}
		if img != nil && img.State != nil && Terminal(img.State.Status) {
			return img, nil
		}
		if err := o.Sleep(ctx, o.Interval); err != nil {
			return img, err
		}
	}
}

// AMI is one AMI a build distributed.
type AMI struct {
	Region  string `json:"region"`
	ImageID string `json:"amiId"`
	Name    string `json:"name"`
	Account string `json:"account,omitempty"`
}

// AMIs lists what an image distributed.
func AMIs(img *types.Image) []AMI {
	var out []AMI
	if img == nil || img.OutputResources == nil {
		return out
	}
	for _, a := range img.OutputResources.Amis {
		out = append(out, AMI{Region: aws.ToString(a.Region), ImageID: aws.ToString(a.Image), Name: aws.ToString(a.Name), Account: aws.ToString(a.AccountId)})
	}
	return out
}
