package pipeline

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	ib "github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"

	"github.com/winami/winami/pkg/awsapi"
)

// Step is where a running build is: its workflow and the step it runs.
type Step struct {
	Workflow string `json:"workflow"` // BUILD, TEST, DISTRIBUTION
	Name     string `json:"name"`     // e.g. ApplyBuildComponents
	Status   string `json:"status"`
}

// CurrentStep finds the step a build is running: the running workflow
// execution of the image, then its running step (or, between steps, the
// last one that finished). Two calls; an empty Step when the build runs no
// workflow yet.
func CurrentStep(ctx context.Context, api awsapi.ImageBuilderAPI, imageARN string) (Step, error) {
	wfs, err := api.ListWorkflowExecutions(ctx, &ib.ListWorkflowExecutionsInput{ImageBuildVersionArn: aws.String(imageARN)})
	if err != nil {
		return Step{}, err
	}
	var wf *types.WorkflowExecutionMetadata
	for i := range wfs.WorkflowExecutions {
		w := &wfs.WorkflowExecutions[i]
		if w.Status == types.WorkflowExecutionStatusRunning || w.Status == types.WorkflowExecutionStatusRollbackInProgress {
			wf = w
		}
	}
	if wf == nil {
		return Step{}, nil
	}
	steps, err := api.ListWorkflowStepExecutions(ctx, &ib.ListWorkflowStepExecutionsInput{WorkflowExecutionId: wf.WorkflowExecutionId})
	if err != nil {
		return Step{}, err
	}
	var cur Step
	for _, s := range steps.Steps {
		switch s.Status {
		case types.WorkflowStepExecutionStatusRunning:
			return Step{Workflow: string(wf.Type), Name: aws.ToString(s.Name), Status: string(s.Status)}, nil
		case types.WorkflowStepExecutionStatusCompleted:
			cur = Step{Workflow: string(wf.Type), Name: aws.ToString(s.Name), Status: string(s.Status)}
		}
	}
	return cur, nil
}
