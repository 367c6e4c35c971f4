package imagebuilder

import (
	"context"
	"net/http"
	"regexp"
	"sync"
	"time"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

// The operations on workflow executions (workflows.go derives them). Their
// API model lists InvalidRequestException, not InvalidParameterValueException,
// for a malformed request, and no error for an unknown ID; the sandbox
// answers ResourceNotFoundException, as Image Builder does for every other
// resource it cannot find.

var (
	workflowExecutionIDRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^wf-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	})
	stepExecutionIDRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^step-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	})
)

// checkID checks an ID parameter against its pattern.
func checkID(param, id string, re *regexp.Regexp) error {
	if id == "" {
		return invalidRequest("The value supplied for parameter '%s' is not valid. '%s' is required.", param, param)
	}
	if !re.MatchString(id) {
		return invalidRequest("The value supplied for parameter '%s' is not valid. '%s' must match pattern %s.", param, param, re)
	}
	return nil
}

func idNotFound(kind, id string) error {
	return protocol.StatusError(http.StatusNotFound, "ResourceNotFoundException", "The %s '%s' cannot be found.", kind, id)
}

// maxMessage is the longest message the API model allows, in characters.
const maxMessage = 500

func clip(s string) string {
	if r := []rune(s); len(r) > maxMessage {
		return string(r[:maxMessage])
	}
	return s
}

func dateOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return date(t)
}

// executionFields are WorkflowExecutionMetadata's members, which
// GetWorkflowExecution answers too (less retried).
type executionFields struct {
	WorkflowBuildVersionARN string `json:"workflowBuildVersionArn"`
	WorkflowExecutionID     string `json:"workflowExecutionId"`
	Type                    string `json:"type"`
	Status                  string `json:"status"`
	Message                 string `json:"message,omitempty"`
	TotalStepCount          int32  `json:"totalStepCount"`
	TotalStepsSucceeded     int32  `json:"totalStepsSucceeded"`
	TotalStepsFailed        int32  `json:"totalStepsFailed"`
	TotalStepsSkipped       int32  `json:"totalStepsSkipped"`
	StartTime               string `json:"startTime,omitempty"`
	EndTime                 string `json:"endTime,omitempty"`
}

func toExecutionFields(region string, x *execution) executionFields {
	f := executionFields{
		WorkflowBuildVersionARN: workflowARN(region, x.def), WorkflowExecutionID: x.id, Type: x.def.typ,
		Status: x.status, Message: clip(x.message), TotalStepCount: int32(len(x.steps)),
		StartTime: dateOrEmpty(x.start), EndTime: dateOrEmpty(x.end),
	}
	for _, s := range x.steps {
		switch s.status {
		case stepCompleted:
			f.TotalStepsSucceeded++
		case stepFailed:
			f.TotalStepsFailed++
		case stepSkipped:
			f.TotalStepsSkipped++
		}
	}
	return f
}

type executionMetadata struct {
	executionFields
	Retried bool `json:"retried"`
}

// stepFields are WorkflowStepMetadata's members, which
// GetWorkflowStepExecution answers too.
type stepFields struct {
	StepExecutionID string `json:"stepExecutionId"`
	Name            string `json:"name"`
	Action          string `json:"action"`
	Status          string `json:"status"`
	Message         string `json:"message,omitempty"`
	Inputs          string `json:"inputs,omitempty"`
	Outputs         string `json:"outputs,omitempty"`
	StartTime       string `json:"startTime,omitempty"`
	EndTime         string `json:"endTime,omitempty"`
}

func toStepFields(s *stepExecution) stepFields {
	return stepFields{
		StepExecutionID: s.id, Name: s.def.name, Action: s.def.action, Status: s.status, Message: clip(s.message),
		Inputs: s.inputs, Outputs: s.outputs, StartTime: dateOrEmpty(s.start), EndTime: dateOrEmpty(s.end),
	}
}

// ownBuild is a build of the account, the only images with workflows.
func ownBuild(sc *scope, arn string) *world.ImageBuildVersion {
	if img := sc.ib.Images[arn]; img != nil && img.Owner == sc.account() {
		return img
	}
	return nil
}

// findExecution is the started workflow execution of an ID, or nil.
func findExecution(sc *scope, id string, now time.Time) *execution {
	for _, img := range sc.ib.Images {
		for _, d := range managedWorkflows {
			if img.Owner != sc.account() || executionID(img, d) != id {
				continue
			}
			for _, x := range executions(sc, img, now) {
				if x.id == id {
					return x
				}
			}
			return nil
		}
	}
	return nil
}

// findStep is the step execution of an ID with its workflow execution, or
// nils; a step of a workflow that has not started does not exist yet.
func findStep(sc *scope, id string, now time.Time) (*execution, *stepExecution) {
	for _, img := range sc.ib.Images {
		for _, d := range managedWorkflows {
			for _, sd := range d.steps {
				if img.Owner != sc.account() || stepExecutionID(img, d, sd.name) != id {
					continue
				}
				x := findExecution(sc, executionID(img, d), now)
				if x == nil {
					return nil, nil
				}
				for i := range x.steps {
					if x.steps[i].id == id {
						return x, &x.steps[i]
					}
				}
			}
		}
	}
	return nil, nil
}

type listExecutionsInput struct {
	ImageBuildVersionARN string `json:"imageBuildVersionArn"`
	MaxResults           *int32 `json:"maxResults"`
	NextToken            string `json:"nextToken"`
}

type listExecutionsOutput struct {
	RequestID            string              `json:"requestId"`
	WorkflowExecutions   []executionMetadata `json:"workflowExecutions"`
	ImageBuildVersionARN string              `json:"imageBuildVersionArn"`
	NextToken            string              `json:"nextToken,omitempty"`
}

// listWorkflowExecutions lists the build's workflow executions that have
// started, in the order they ran.
func (s *service) listWorkflowExecutions(ctx context.Context, req *protocol.Request) (any, error) {
	return handle(req, func(in *listExecutionsInput) (any, error) {
		arn := in.ImageBuildVersionARN
		if a, ok := parseARN(arn); !ok || a.Kind != "image" || a.Build == 0 {
			return nil, invalidRequest("The value supplied for parameter 'imageBuildVersionArn' is not valid. " +
				"'imageBuildVersionArn' must be the ARN of an image build version.")
		}
		if err := s.settle(req); err != nil {
			return nil, err
		}
		var out listExecutionsOutput
		err := s.view(req, func(sc *scope) error {
			img := ownBuild(sc, arn)
			if img == nil {
				return notFound(arn)
			}
			list, next, err := answerPage(executions(sc, img, s.now().UTC()), listInput{MaxResults: in.MaxResults, NextToken: in.NextToken},
				func(x *execution) executionMetadata {
					return executionMetadata{executionFields: toExecutionFields(sc.r.Name, x)}
				})
			out = listExecutionsOutput{RequestID: req.RequestID, ImageBuildVersionARN: arn, NextToken: next, WorkflowExecutions: list}
			return err
		})
		return out, err
	})
}

type getExecutionOutput struct {
	RequestID string `json:"requestId"`
	executionFields
	ImageBuildVersionARN string `json:"imageBuildVersionArn"`
}

func (s *service) getWorkflowExecution(ctx context.Context, req *protocol.Request) (any, error) {
	id := req.Query.Get("workflowExecutionId")
	if err := checkID("workflowExecutionId", id, workflowExecutionIDRE()); err != nil {
		return nil, err
	}
	if err := s.settle(req); err != nil {
		return nil, err
	}
	var out getExecutionOutput
	err := s.view(req, func(sc *scope) error {
		x := findExecution(sc, id, s.now().UTC())
		if x == nil {
			return idNotFound("workflow execution", id)
		}
		out = getExecutionOutput{RequestID: req.RequestID, executionFields: toExecutionFields(sc.r.Name, x), ImageBuildVersionARN: x.img.ARN}
		return nil
	})
	return out, err
}

type listStepsInput struct {
	WorkflowExecutionID string `json:"workflowExecutionId"`
	MaxResults          *int32 `json:"maxResults"`
	NextToken           string `json:"nextToken"`
}

type listStepsOutput struct {
	RequestID               string       `json:"requestId"`
	Steps                   []stepFields `json:"steps"`
	WorkflowBuildVersionARN string       `json:"workflowBuildVersionArn"`
	WorkflowExecutionID     string       `json:"workflowExecutionId"`
	ImageBuildVersionARN    string       `json:"imageBuildVersionArn"`
	NextToken               string       `json:"nextToken,omitempty"`
}

// listWorkflowStepExecutions lists every step of the workflow in document
// order: those not reached yet as PENDING.
func (s *service) listWorkflowStepExecutions(ctx context.Context, req *protocol.Request) (any, error) {
	return handle(req, func(in *listStepsInput) (any, error) {
		if err := checkID("workflowExecutionId", in.WorkflowExecutionID, workflowExecutionIDRE()); err != nil {
			return nil, err
		}
		if err := s.settle(req); err != nil {
			return nil, err
		}
		var out listStepsOutput
		err := s.view(req, func(sc *scope) error {
			x := findExecution(sc, in.WorkflowExecutionID, s.now().UTC())
			if x == nil {
				return idNotFound("workflow execution", in.WorkflowExecutionID)
			}
			steps, next, err := answerPage(x.steps, listInput{MaxResults: in.MaxResults, NextToken: in.NextToken},
				func(s stepExecution) stepFields { return toStepFields(&s) })
			out = listStepsOutput{RequestID: req.RequestID, Steps: steps, WorkflowBuildVersionARN: workflowARN(sc.r.Name, x.def),
				WorkflowExecutionID: x.id, ImageBuildVersionARN: x.img.ARN, NextToken: next}
			return err
		})
		return out, err
	})
}

type getStepOutput struct {
	RequestID string `json:"requestId"`
	stepFields
	OnFailure               string `json:"onFailure"`
	WorkflowBuildVersionARN string `json:"workflowBuildVersionArn"`
	WorkflowExecutionID     string `json:"workflowExecutionId"`
	ImageBuildVersionARN    string `json:"imageBuildVersionArn"`
}

func (s *service) getWorkflowStepExecution(ctx context.Context, req *protocol.Request) (any, error) {
	id := req.Query.Get("stepExecutionId")
	if err := checkID("stepExecutionId", id, stepExecutionIDRE()); err != nil {
		return nil, err
	}
	if err := s.settle(req); err != nil {
		return nil, err
	}
	var out getStepOutput
	err := s.view(req, func(sc *scope) error {
		x, step := findStep(sc, id, s.now().UTC())
		if step == nil {
			return idNotFound("workflow step execution", id)
		}
		out = getStepOutput{RequestID: req.RequestID, stepFields: toStepFields(step), OnFailure: step.def.onFailure,
			WorkflowBuildVersionARN: workflowARN(sc.r.Name, x.def), WorkflowExecutionID: x.id, ImageBuildVersionARN: x.img.ARN}
		return nil
	})
	return out, err
}
