package spec

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Release channel names: short, lower-case, usable in SSM parameter names
// and in messages without quoting.
const maxChannelName = 32

var (
	channelNameRE = lazyRE(patChannelName)
	clusterNameRE = lazyRE(patClusterName)
)

// The patterns behind them, as in validate.go.
const (
	patChannelName = `^[a-z][a-z0-9-]{0,31}$` // 1 + 31 = maxChannelName
	patClusterName = `^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$`
)

// ChannelParameter is a release channel's SSM parameter: its own, or the
// default /winami/<spec>/<channel>.
func (s *Spec) ChannelParameter(ch ReleaseChannel) string {
	if ch.Parameter != "" {
		return ch.Parameter
	}
	return "/winami/" + s.Name + "/" + ch.Name
}

// release checks the release section: at least one channel, unique names
// and parameters, valid gates, and not together with
// distribution.ssmParameter (a build writes the first channel instead).
func (c *checker) release() {
	r := c.s.Release
	if r == nil {
		return
	}
	if len(r.Channels) == 0 {
		c.add("release.channels", "list at least one channel (e.g. candidate, then stable); builds publish to the first")
		return
	}
	// Builds publish to the first channel; distribution.ssmParameter may
	// stay only as that channel's parameter (how a spec moves to channels
	// without moving its node groups).
	if p := c.s.Distribution.SSMParameter; p != "" && p != c.s.ChannelParameter(r.Channels[0]) {
		c.add("distribution.ssmParameter", "a spec with release channels publishes each build to its first channel, %s: remove distribution.ssmParameter, or give that channel parameter: %s",
			c.s.ChannelParameter(r.Channels[0]), p)
	}
	names, params := map[string]int{}, map[string]int{}
	for i, ch := range r.Channels {
		path := fmt.Sprintf("release.channels[%d]", i)
		switch {
		case !channelNameRE().MatchString(ch.Name):
			c.add(path+".name", "channel names are 1 to %d lower-case letters, digits and -, starting with a letter", maxChannelName)
		case names[ch.Name] > 0:
			c.add(path+".name", "channel %s is listed twice (also channels[%d])", ch.Name, names[ch.Name]-1)
		default:
			names[ch.Name] = i + 1
		}
		if ch.Parameter != "" {
			if msg := ssmParameterProblem(ch.Parameter); msg != "" {
				c.add(path+".parameter", "%s", msg)
				continue
			}
		}
		p := c.s.ChannelParameter(ch)
		if j := params[p]; j > 0 {
			c.add(path+".parameter", "channels %d and %d would share the parameter %s", j-1, i, p)
		}
		params[p] = i + 1
		c.gates(path, i, ch.Gates)
	}
}

func (c *checker) gates(path string, i int, g *ReleaseGates) {
	if g == nil {
		return
	}
	if i == 0 {
		c.add(path+".gates", "the first channel takes every build: gates belong to the channels after it")
		return
	}
	if g.Soak != "" {
		if d, err := time.ParseDuration(g.Soak); err != nil || d <= 0 {
			c.add(path+".gates.soak", "a positive duration such as 24h or 90m")
		}
	}
	if g.FastLaunch != nil && *g.FastLaunch && (c.s.Distribution.FastLaunch == nil || !c.s.Distribution.FastLaunch.Enabled) {
		c.add(path+".gates.fastLaunch", "the spec does not enable distribution.fastLaunch, so this gate could never hold")
	}
	if k := g.Canary; k != nil {
		if !IsClusterName(k.Cluster) {
			c.add(path+".gates.canary.cluster", "an EKS cluster name: %s", ClusterNameRule)
		}
		if k.Region != "" && !slices.Contains(c.s.Distribution.Regions, k.Region) {
			c.add(path+".gates.canary.region", "the canary cluster must be in a distribution region (%s), where the build has an AMI",
				strings.Join(c.s.Distribution.Regions, ", "))
		}
	}
}

// IsClusterName says whether s follows EKS's rule for cluster names
// (ClusterNameRule), for every place winami takes one: a canary gate here,
// drift's --cluster.
func IsClusterName(s string) bool { return clusterNameRE().MatchString(s) }

// ClusterNameRule is EKS's rule for cluster names, in words for messages.
const ClusterNameRule = "1 to 100 letters, digits, - and _, starting with a letter or digit"

// PublishParameter is the SSM parameter each build writes its AMI ID to:
// the first release channel's, or distribution.ssmParameter in the simple
// mode; "" when the spec publishes to none.
func (s *Spec) PublishParameter() string {
	if s.Release != nil && len(s.Release.Channels) > 0 {
		return s.ChannelParameter(s.Release.Channels[0])
	}
	return s.Distribution.SSMParameter
}
