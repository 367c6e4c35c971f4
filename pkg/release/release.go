// Package release moves a spec's AMIs through its release channels. A
// channel is one SSM parameter per distribution region holding the AMI ID
// that node groups, launch templates and Karpenter follow; builds publish to
// the first channel, and an AMI enters a later one only through Promote,
// after its gates hold in every region. A promotion or rollback changes
// every region or none.
package release

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/clock"
	"github.com/winami/winami/pkg/spec"
)

// Channel is one release channel of a spec.
type Channel struct {
	Name string
	// Parameter is the SSM parameter, the same name in every region.
	Parameter string
	// Gates must hold before an AMI enters the channel (none for the first).
	Gates Gates
}

// Gates are a channel's entry conditions beyond the ones every channel has
// (the AMI is the spec's, available and neither disabled nor deprecated in
// every region, and built with the spec's OS build and cache record).
type Gates struct {
	// FastLaunch requires Fast Launch enabled for the AMI in every region.
	FastLaunch bool
	// Soak is how long the AMI must have been in the previous channel.
	Soak time.Duration
	// Canary names a cluster whose Windows nodes on the AMI must be Ready
	// with no drift (at least one of them); nil for none.
	Canary *Canary
}

// Canary is a canary cluster and its region.
type Canary struct{ Cluster, Region string }

// CanaryResult is what a canary cluster's drift report says of the AMI.
type CanaryResult struct {
	// Nodes run the AMI; Problems are those not Ready or drifted, with why.
	Nodes    int
	Problems []string
}

// Config is what the release commands know of a spec.
type Config struct {
	// Spec is the spec's name (the AMIs' winami:spec tag).
	Spec string
	// Home is the spec's region; Regions are its distribution regions.
	Home    string
	Regions []string
	// OSBuild is the spec's Windows build, when it pins one.
	OSBuild  string
	Channels []Channel
}

// DefaultParameter is a channel's parameter when the spec names none.
func DefaultParameter(spec, channel string) string {
	return "/winami/" + spec + "/" + channel
}

// Channel finds a channel by name; the error names the spec's channels.
func (c *Config) Channel(name string) (int, *Channel, error) {
	var names []string
	for i := range c.Channels {
		if c.Channels[i].Name == name {
			return i, &c.Channels[i], nil
		}
		names = append(names, c.Channels[i].Name)
	}
	return 0, nil, &UnknownChannelError{Name: name, Known: names}
}

// UnknownChannelError is a channel the spec does not declare.
type UnknownChannelError struct {
	Name  string
	Known []string
}

func (e *UnknownChannelError) Error() string {
	return fmt.Sprintf("the spec has no release channel %q (its channels: %s)", e.Name, strings.Join(e.Known, ", "))
}

// Runner runs the release workflows with injected clients, clock and output.
type Runner struct {
	Config Config
	SSM    func(region string) awsapi.SSMAPI
	EC2    func(region string) awsapi.EC2API
	Clock  clock.Clock
	// Canary reads a canary cluster's Windows nodes against an AMI (the
	// drift report); needed only by channels with a canary gate.
	Canary func(ctx context.Context, c Canary, ami string) (CanaryResult, error)
	// Out receives progress for people (one line each); nil discards.
	Out io.Writer
	// Limit bounds the regions read at once (default DefaultLimit).
	Limit int
}

// DefaultLimit is how many regions a release workflow reads at once.
const DefaultLimit = 8

func (r *Runner) limit() int {
	if r.Limit > 0 {
		return r.Limit
	}
	return DefaultLimit
}

func (r *Runner) say(format string, args ...any) {
	if r.Out != nil {
		fmt.Fprintf(r.Out, format+"\n", args...)
	}
}

// regions are the regions a channel lives in, home first.
func (r *Runner) regions() []string {
	out := []string{r.Config.Home}
	for _, reg := range r.Config.Regions {
		if !slices.Contains(out, reg) {
			out = append(out, reg)
		}
	}
	return out
}

// ErrNotFound marks a channel parameter that does not exist in a region yet.
var ErrNotFound = errors.New("the channel has no AMI here yet")

// ConfigFrom reads a spec's release section; a spec without one is an
// error that says what to add.
func ConfigFrom(s *spec.Spec) (Config, error) {
	if s.Release == nil || len(s.Release.Channels) == 0 {
		return Config{}, fmt.Errorf("spec %s has no release channels: add a release section (release.channels: candidate, stable; see docs/release.md)", s.Name)
	}
	c := Config{Spec: s.Name, Home: s.Region, Regions: s.Distribution.Regions, OSBuild: s.Base.OSBuild}
	fastLaunch := s.Distribution.FastLaunch != nil && s.Distribution.FastLaunch.Enabled
	for _, ch := range s.Release.Channels {
		out := Channel{Name: ch.Name, Parameter: s.ChannelParameter(ch)}
		if g := ch.Gates; g != nil {
			if g.Soak != "" {
				d, err := time.ParseDuration(g.Soak)
				if err != nil {
					return Config{}, fmt.Errorf("release channel %s: gates.soak %q: %w", ch.Name, g.Soak, err)
				}
				out.Gates.Soak = d
			}
			out.Gates.FastLaunch = fastLaunch
			if g.FastLaunch != nil {
				out.Gates.FastLaunch = *g.FastLaunch
			}
			if k := g.Canary; k != nil {
				out.Gates.Canary = &Canary{Cluster: k.Cluster, Region: k.Region}
				if k.Region == "" {
					out.Gates.Canary.Region = s.Region
				}
			}
		} else if len(c.Channels) > 0 {
			out.Gates.FastLaunch = fastLaunch
		}
		c.Channels = append(c.Channels, out)
	}
	return c, nil
}
