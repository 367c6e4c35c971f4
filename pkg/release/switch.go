package release

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/winami/winami/pkg/awsapi"
)

// Change is one region's move of a channel from one AMI to another.
type Change struct {
	Region string `json:"region"`
	// From is the AMI the channel holds now ("" when the parameter does not
	// exist there yet); To the AMI it will hold.
	From string `json:"from"`
	To   string `json:"to"`
	// Version is the parameter version the write made (after Apply).
	Version int64 `json:"version,omitempty"`
}

// SwitchError is a switch that failed in one region: the regions already
// changed were put back (or could not be, which Stranded names with the
// command that finishes the job).
type SwitchError struct {
	Channel  string
	Region   string
	Err      error
	PutBack  []string
	Stranded []string
}

func (e *SwitchError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "writing channel %s in %s failed: %v", e.Channel, e.Region, e.Err)
	if len(e.PutBack) > 0 {
		fmt.Fprintf(&b, "; put back as it was in %s", strings.Join(e.PutBack, ", "))
	}
	if len(e.Stranded) > 0 {
		fmt.Fprintf(&b, "; COULD NOT put back:\n  %s", strings.Join(e.Stranded, "\n  "))
	} else {
		b.WriteString("; no region changed")
	}
	return b.String()
}

func (e *SwitchError) Unwrap() error { return e.Err }

// switchChannel writes every change, one region after another in order, and
// labels each new version with label (when not empty). If a write fails,
// the regions already written are put back before it returns, so that the
// channel holds the same build everywhere: all regions or none.
func (r *Runner) switchChannel(ctx context.Context, ch *Channel, changes []Change, label string) ([]Change, error) {
	done := make([]Change, 0, len(changes))
	for _, c := range changes {
		v, err := r.write(ctx, ch, c.Region, c.To)
		if err != nil {
			return nil, r.putBack(ctx, ch, done, c.Region, err)
		}
		c.Version = v
		done = append(done, c)
		r.say("%s in %s: %s -> %s (version %d)", ch.Name, c.Region, orNone(c.From), c.To, v)
	}
	if label == "" {
		return done, nil
	}
	for _, c := range done {
		// A label is the history's note of the release; the channel already
		// holds the build everywhere, so a failure here is only reported.
		_, err := r.SSM(c.Region).LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{
			Name: aws.String(ch.Parameter), ParameterVersion: aws.Int64(c.Version), Labels: []string{label},
		})
		if err != nil {
			r.say("Warning: could not label version %d of %s in %s with %s: %v", c.Version, ch.Parameter, c.Region, label, err)
		}
	}
	return done, nil
}

// write puts an AMI into the channel's parameter in one region.
func (r *Runner) write(ctx context.Context, ch *Channel, region, ami string) (int64, error) {
	out, err := r.SSM(region).PutParameter(ctx, &ssm.PutParameterInput{
		Name: aws.String(ch.Parameter), Value: aws.String(ami), Type: types.ParameterTypeString,
		DataType: aws.String("aws:ec2:image"), Overwrite: aws.Bool(true),
	})
	if err != nil {
		return 0, err
	}
	return out.Version, nil
}

// putBack undoes the changes already made, newest first: the old AMI is
// written again (a new version), and a parameter the switch created is
// deleted. Context cancellation must not leave the channel split, so the
// undo runs even when ctx has ended.
func (r *Runner) putBack(ctx context.Context, ch *Channel, done []Change, failedRegion string, cause error) error {
	ctx = context.WithoutCancel(ctx)
	// The cause is explained here (what is missing and the fix), so that the
	// CLI keeps this whole message, what was put back included, instead of
	// replacing it with the explanation of the AWS error inside.
	e := &SwitchError{Channel: ch.Name, Region: failedRegion, Err: awsapi.Explain(cause)}
	for i := len(done) - 1; i >= 0; i-- {
		c := done[i]
		var err error
		if c.From == "" {
			_, err = r.SSM(c.Region).DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: aws.String(ch.Parameter)})
			var nf *types.ParameterNotFound
			if errors.As(err, &nf) {
				err = nil
			}
		} else {
			_, err = r.write(ctx, ch, c.Region, c.From)
		}
		if err != nil {
			fix := fmt.Sprintf("aws ssm put-parameter --region %s --name %s --value %s --overwrite", c.Region, ch.Parameter, c.From)
			if c.From == "" {
				fix = fmt.Sprintf("aws ssm delete-parameter --region %s --name %s", c.Region, ch.Parameter)
			}
			e.Stranded = append(e.Stranded, fmt.Sprintf("%s still holds %s (%v): run %s", c.Region, c.To, err, fix))
			continue
		}
		r.say("%s in %s: put back %s", ch.Name, c.Region, orNone(c.From))
		e.PutBack = append(e.PutBack, c.Region)
	}
	return e
}
