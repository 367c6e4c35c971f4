package release

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// PlanRollback works out putting channel back on an earlier build: the
// previous distinct AMI of its history (to ""), the AMI of a version of the
// home region's history (to "7"), or a named AMI (to "ami-…"). The build's
// AMIs must exist, be available and not deprecated in every region. It
// writes nothing.
func (r *Runner) PlanRollback(ctx context.Context, channel, to string) (*Plan, error) {
	_, ch, err := r.Config.Channel(channel)
	if err != nil {
		return nil, err
	}
	hists, err := r.Histories(ctx, ch)
	if err != nil {
		return nil, err
	}
	home := hists[r.Config.Home]
	cur, ok := current(home)
	if !ok {
		return nil, fmt.Errorf("channel %s holds no AMI in %s (%s does not exist): nothing to roll back", channel, r.Config.Home, ch.Parameter)
	}
	target, err := rollbackTarget(home, cur, to)
	if err != nil {
		return nil, fmt.Errorf("channel %s in %s: %w", channel, r.Config.Home, err)
	}
	var img Image
	if strings.HasPrefix(target, "ami-") && target == to {
		img, err = r.FindAMI(ctx, target)
	} else {
		var found *Image
		if found, err = r.describe1(ctx, r.Config.Home, target); err == nil && found == nil {
			err = fmt.Errorf("%s, which channel %s held, is deregistered in %s: roll back to another version (winami release history)", target, channel, r.Config.Home)
		} else if found != nil {
			img = *found
		}
	}
	if err != nil {
		return nil, err
	}
	amis, err := r.buildOf(ctx, img)
	if err != nil {
		return nil, err
	}
	if err := r.usable(amis, img); err != nil {
		return nil, err
	}
	plan := &Plan{Channel: ch.Name, Build: img.Build()}
	r.planChanges(hists, amis, plan)
	return plan, nil
}

// rollbackTarget picks the AMI to roll back to from the home history.
func rollbackTarget(h []Version, cur Version, to string) (string, error) {
	switch {
	case to == "":
		for i := len(h) - 1; i >= 0; i-- {
			if h[i].AMI != cur.AMI {
				return h[i].AMI, nil
			}
		}
		return "", fmt.Errorf("its %d kept version(s) hold only %s: there is no earlier AMI to go back to", len(h), cur.AMI)
	case strings.HasPrefix(to, "ami-"):
		return to, nil
	}
	n, err := strconv.ParseInt(to, 10, 64)
	if err != nil || n < 1 {
		return "", fmt.Errorf("--to %q is neither a version number nor an AMI ID (ami-…)", to)
	}
	for _, v := range h {
		if v.Version == n {
			return v.AMI, nil
		}
	}
	return "", fmt.Errorf("version %d does not exist (kept: %d to %d; winami release history lists them)", n, h[0].Version, h[len(h)-1].Version)
}

// usable refuses a build whose AMI is missing, not available (disabled,
// deregistered) or deprecated in a region.
func (r *Runner) usable(amis map[string]Image, img Image) error {
	now := r.Clock.Now()
	var problems []string
	for _, region := range r.regions() {
		a, ok := amis[region]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("%s: the build has no AMI there (deregistered?)", region))
		case a.State != "available":
			problems = append(problems, fmt.Sprintf("%s: %s is %s", region, a.ID, a.State))
		case a.Deprecation != nil && !a.Deprecation.After(now):
			problems = append(problems, fmt.Sprintf("%s: %s was deprecated on %s", region, a.ID, a.Deprecation.UTC().Format(time.RFC3339)))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("cannot go back to %s (%s), nothing was written:\n  %s", img.ID, img.Name, strings.Join(problems, "\n  "))
	}
	return nil
}

// Rollback carries out a rollback plan: every region or none.
func (r *Runner) Rollback(ctx context.Context, plan *Plan) ([]Change, error) {
	_, ch, err := r.Config.Channel(plan.Channel)
	if err != nil {
		return nil, err
	}
	return r.switchChannel(ctx, ch, plan.Changes, "")
}
