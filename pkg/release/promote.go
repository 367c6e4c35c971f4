package release

import (
	"context"
	"fmt"
	"strings"

	"github.com/winami/winami/pkg/amimeta"
)

// Plan is a promotion or rollback worked out and checked, before anything
// is written.
type Plan struct {
	Channel string `json:"channel"`
	// Build is the image build whose AMIs the channel will hold.
	Build string `json:"build"`
	// Label goes on each new parameter version ("" for a rollback).
	Label  string  `json:"label,omitempty"`
	Images []Image `json:"amis"`
	// Changes are the regions whose channel changes; none when the channel
	// holds the build already.
	Changes []Change     `json:"changes"`
	Gates   []GateResult `json:"gates,omitempty"`
}

// Blocked are the gates that stop the plan.
func (p *Plan) Blocked() []GateResult { return Failing(p.Gates) }

// Source is what a promotion takes: an AMI (any region's copy of a build),
// or the AMI another channel holds.
type Source struct {
	AMI  string
	From string
}

// PlanPromotion works out a promotion into channel `to` and checks its
// gates in every region. It writes nothing.
func (r *Runner) PlanPromotion(ctx context.Context, to string, src Source) (*Plan, error) {
	idx, ch, err := r.Config.Channel(to)
	if err != nil {
		return nil, err
	}
	if idx == 0 {
		return nil, fmt.Errorf("%s is the first channel: builds publish to it; promote into a later one (%s)", to, r.laterChannels())
	}
	// The soak gate reads the previous channel's histories in every
	// region; when the promotion takes that channel's AMI, one read serves
	// both.
	var prev map[string][]Version
	if ch.Gates.Soak > 0 && src.AMI == "" && (src.From == "" || src.From == r.Config.Channels[idx-1].Name) {
		if prev, err = r.Histories(ctx, &r.Config.Channels[idx-1]); err != nil {
			return nil, err
		}
	}
	img, err := r.sourceImage(ctx, idx, src, prev)
	if err != nil {
		return nil, err
	}
	amis, err := r.buildOf(ctx, img)
	if err != nil {
		return nil, err
	}
	gates, err := r.check(ctx, idx, amis, prev)
	if err != nil {
		return nil, err
	}
	hists, err := r.Histories(ctx, ch)
	if err != nil {
		return nil, err
	}
	plan := &Plan{Channel: ch.Name, Build: img.Build(), Label: Label(img.Build()), Gates: gates}
	r.planChanges(hists, amis, plan)
	return plan, nil
}

// sourceImage is the AMI a promotion starts from; prev, when not nil, are
// the source channel's histories, already read.
func (r *Runner) sourceImage(ctx context.Context, idx int, src Source, prev map[string][]Version) (Image, error) {
	if src.AMI != "" {
		return r.FindAMI(ctx, src.AMI)
	}
	from := src.From
	if from == "" {
		from = r.Config.Channels[idx-1].Name
	}
	_, fromCh, err := r.Config.Channel(from)
	if err != nil {
		return Image{}, err
	}
	h := prev[r.Config.Home]
	if prev == nil {
		if h, err = r.History(ctx, fromCh, r.Config.Home); err != nil {
			return Image{}, err
		}
	}
	cur, ok := current(h)
	if !ok {
		return Image{}, fmt.Errorf("channel %s holds no AMI in %s yet (%s does not exist): build first, or name an AMI with --ami",
			from, r.Config.Home, fromCh.Parameter)
	}
	img, err := r.describe1(ctx, r.Config.Home, cur.AMI)
	if err != nil {
		return Image{}, err
	}
	if img == nil {
		return Image{}, fmt.Errorf("channel %s holds %s in %s, which no longer exists", from, cur.AMI, r.Config.Home)
	}
	return *img, nil
}

// buildOf is the build an AMI came from, its AMIs by region, once the AMI
// is known to be one of the spec's builds.
func (r *Runner) buildOf(ctx context.Context, img Image) (map[string]Image, error) {
	if err := r.checkSpec(img); err != nil {
		return nil, err
	}
	return r.BuildImages(ctx, img.Build())
}

// checkSpec refuses an AMI another spec (or no winami build) made.
func (r *Runner) checkSpec(img Image) error {
	switch spec, ok := img.Tags[amimeta.TagSpec]; {
	case !ok:
		return fmt.Errorf("%s (%s) was not built by winami: it has no %s tag; a channel of spec %s takes only the spec's builds",
			img.ID, img.Name, amimeta.TagSpec, r.Config.Spec)
	case spec != r.Config.Spec:
		return fmt.Errorf("%s (%s) belongs to spec %s, not %s: a channel takes only its own spec's builds", img.ID, img.Name, spec, r.Config.Spec)
	case img.Build() == "":
		return fmt.Errorf("%s has no %s tag, so its copies in the other regions cannot be found", img.ID, tagBuild)
	}
	return nil
}

// planChanges compares the channel (its histories) in every region with
// the build's AMIs.
func (r *Runner) planChanges(hists map[string][]Version, amis map[string]Image, plan *Plan) {
	for _, region := range r.regions() {
		img, ok := amis[region]
		if !ok {
			continue // a gate (or the rollback's own check) names it
		}
		plan.Images = append(plan.Images, img)
		cur, _ := current(hists[region])
		if cur.AMI != img.ID {
			plan.Changes = append(plan.Changes, Change{Region: region, From: cur.AMI, To: img.ID})
		}
	}
}

func (r *Runner) laterChannels() string {
	var names []string
	for _, c := range r.Config.Channels[1:] {
		names = append(names, c.Name)
	}
	return strings.Join(names, ", ")
}

// Apply carries out a plan: every region or none. A plan with a failing
// gate is refused.
func (r *Runner) Apply(ctx context.Context, plan *Plan) ([]Change, error) {
	if b := plan.Blocked(); len(b) > 0 {
		return nil, fmt.Errorf("%d gate(s) of %s do not hold; nothing was written", len(b), plan.Channel)
	}
	_, ch, err := r.Config.Channel(plan.Channel)
	if err != nil {
		return nil, err
	}
	return r.switchChannel(ctx, ch, plan.Changes, plan.Label)
}
