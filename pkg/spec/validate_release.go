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
		case !channelName(ch.Name):
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
		if !eksClusterName(k.Cluster) {
			c.add(path+".gates.canary.cluster", "an EKS cluster name: 1 to 100 letters, digits, - and _, starting with a letter or digit")
		}
		if k.Region != "" && !slices.Contains(c.s.Distribution.Regions, k.Region) {
			c.add(path+".gates.canary.region", "the canary cluster must be in a distribution region (%s), where the build has an AMI",
				strings.Join(c.s.Distribution.Regions, ", "))
		}
	}
}

// eksClusterName is EKS's rule for cluster names.
func eksClusterName(s string) bool {
	if s == "" || len(s) > 100 || !isAlnum(rune(s[0])) {
		return false
	}
	for _, r := range s {
		if !isAlnum(r) && r != '-' && r != '_' {
			return false
		}
	}
	return true
}

func isAlnum(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

func channelName(s string) bool {
	if s == "" || len(s) > maxChannelName || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// PublishParameter is the SSM parameter each build writes its AMI ID to:
// the first release channel's, or distribution.ssmParameter in the simple
// mode; "" when the spec publishes to none.
func (s *Spec) PublishParameter() string {
	if s.Release != nil && len(s.Release.Channels) > 0 {
		return s.ChannelParameter(s.Release.Channels[0])
	}
	return s.Distribution.SSMParameter
}
