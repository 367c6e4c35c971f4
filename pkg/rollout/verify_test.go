package rollout

import (
	"slices"
	"testing"
)

func TestVerify(t *testing.T) {
	const ami, old = "ami-0123456789abcdef0", "ami-0fedcba9876543210"
	good := func(name string) NodeState {
		return NodeState{Name: name, AMI: ami, Ready: true, Kubelet: "v1.35.2-eks-3f1c2e7", WindowsBuild: "10.0.20348",
			OwnerKind: KindNodegroup, OwnerName: "ng",
			Images: []string{"123.dkr.ecr.us-east-1.amazonaws.com/app@sha256:aa", "123.dkr.ecr.us-east-1.amazonaws.com/app:1.2",
				"docker.io/library/nginx:1.27", "mcr.microsoft.com/dotnet/aspnet:8.0"}}
	}
	with := func(n NodeState, f func(*NodeState)) NodeState { f(&n); return n }
	g := &Group{Kind: KindNodegroup, Name: "ng", Expect: Expect{AMI: ami, Kubelet: "v1.35.2", WindowsBuild: "10.0.20348.2700",
		CachedImages: []string{"123.dkr.ecr.us-east-1.amazonaws.com/app:1.2@sha256:aa", "nginx:1.27", "mcr.microsoft.com/dotnet/aspnet:8.0"}}}
	nodes := []NodeState{
		good("a"),
		with(good("b"), func(n *NodeState) { n.AMI = old }),
		with(good("c"), func(n *NodeState) { n.AMI = "" }),
		with(good("d"), func(n *NodeState) { n.Ready = false }),
		with(good("e"), func(n *NodeState) { n.Kubelet = "v1.35.0-eks-51c8e2f"; n.Unschedulable = true }),
		with(good("f"), func(n *NodeState) { n.Images = n.Images[1:] }),
		with(good("g"), func(n *NodeState) { n.WindowsBuild = "10.0.17763" }),
		with(good("x"), func(n *NodeState) { n.OwnerName = "other" }),
		with(good("y"), func(n *NodeState) { n.OwnerKind = KindKarpenter }),
	}
	got := Verify(nodes, g)
	want := Check{Total: 7, Verified: 1, Old: 2, Problems: []string{
		"d: not Ready",
		"e: cordoned; kubelet v1.35.0-eks-51c8e2f, want v1.35.2",
		"f: cached image 123.dkr.ecr.us-east-1.amazonaws.com/app:1.2@sha256:aa missing",
		"g: Windows build 10.0.17763, want 10.0.20348.2700",
	}}
	if got.Total != want.Total || got.Verified != want.Verified || got.Old != want.Old || !slices.Equal(got.Problems, want.Problems) {
		t.Errorf("Verify =\n%+v\nwant\n%+v", got, want)
	}
}

func TestKubeletMatches(t *testing.T) {
	for _, c := range []struct {
		want, got string
		ok        bool
	}{
		{"v1.35.2", "v1.35.2-eks-ba74326", true},
		{"v1.35.2", "v1.35.20", false},
		{"v1.35", "v1.35.0-eks-51c8e2f", true},
		{"v1.35", "v1.350.0", false},
		{"v1.35", "v1.34.9", false},
	} {
		if kubeletMatches(c.want, c.got) != c.ok {
			t.Errorf("kubeletMatches(%q, %q) = %v", c.want, c.got, !c.ok)
		}
	}
}

func TestExpectedImageName(t *testing.T) {
	for ref, want := range map[string]string{
		"repo.example.com/app:1@sha256:ab":   "repo.example.com/app@sha256:ab",
		"repo.example.com:5000/app:1":        "repo.example.com:5000/app:1",
		"repo.example.com:5000/app@sha256:a": "repo.example.com:5000/app@sha256:a",
		"nginx":                              "docker.io/library/nginx:latest",
		"team/app:2":                         "docker.io/team/app:2",
		"localhost/app":                      "localhost/app:latest",
	} {
		if got := expectedName(ref); got != want {
			t.Errorf("expectedName(%q) = %q, want %q", ref, got, want)
		}
	}
}
