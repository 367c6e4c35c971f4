package world

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// ScaleCluster is the cluster `winami sandbox --nodes N` adds in us-east-1.
const ScaleCluster = "scale"

// ScaleLaunchTemplateName is the launch template of the scale cluster's
// node groups.
const ScaleLaunchTemplateName = "scale-windows-nodes"

// MaxScaleNodes bounds --nodes: the scale cluster's addresses come from
// 10.0.0.0/8 and its seeding must stay well under a second.
const MaxScaleNodes = 100_000

// scaleNodegroupSize is how many nodes each of the scale cluster's managed
// node groups holds.
const scaleNodegroupSize = 1000

// SeedScale builds the extra fleet of `--nodes n`: in us-east-1 the cluster
// "scale" with n Windows Server 2022 Core nodes in custom AMI managed node
// groups of 1000 ("windows-000", "windows-001", ...; amiType CUSTOM, the
// launch template ScaleLaunchTemplateName, which the region adopts: see
// AdoptFleetTemplates), spread over the four 1.35 AMI
// releases (seven in ten on the newest, one in ten on each older one) and the
// kubelet each release ships, with every 50th node one kubelet patch behind,
// and their n EC2 instances. It draws from its own stream, so the persisted
// world's IDs do not depend on n.
func SeedScale(w *World, n int) (*Extra, error) {
	if n <= 0 {
		return nil, nil
	}
	if n > MaxScaleNodes {
		return nil, fmt.Errorf("a scale cluster of %d nodes is more than the sandbox seeds (at most %d)", n, MaxScaleNodes)
	}
	const region = "us-east-1"
	r := w.Region(region)
	if r == nil {
		return nil, fmt.Errorf("the world has no %s for the scale cluster", region)
	}
	g := extraGen(w, r, "scale")
	key := EKSWindowsKey{Windows: "2022", Edition: "Core", Kubernetes: "1.35"}
	releases := ReleaseDates()
	images, err := releaseImages(r, key)
	if err != nil {
		return nil, err
	}
	kubelets := []string{KubeletV1350, KubeletV1351, KubeletV1352, KubeletV1352}
	behind := map[string]string{KubeletV1352: KubeletV1351, KubeletV1351: KubeletV1350, KubeletV1350: KubeletV1350}

	subnets := defaultSubnets(r)
	c := newCluster(w, r, g, w.AccountID, ScaleCluster, time.Date(2026, time.April, 8, 11, 0, 0, 0, time.UTC), subnets)
	// The groups are custom AMI groups on one user launch template naming
	// the newest AMI, so that a rollout (a new template version, then
	// UpdateNodegroupVersion) can run against a thousand nodes.
	lt := &LaunchTemplate{
		LaunchTemplateID:   g.id("lt"),
		LaunchTemplateName: ScaleLaunchTemplateName,
		DefaultVersion:     1,
		LatestVersion:      1,
		Versions: []LaunchTemplateVersion{{
			Version: 1, Description: "scale Windows nodes: a custom AMI (the newest EKS 1.35 Windows Server 2022 Core)",
			ImageID: images[3].ImageID, CreateTime: time.Date(2026, time.November, 17, 9, 0, 0, 0, time.UTC),
		}},
		Tags:       map[string]string{"eks-cluster": ScaleCluster},
		CreateTime: time.Date(2026, time.November, 17, 9, 0, 0, 0, time.UTC),
		CreatedBy:  "arn:" + Partition(region) + ":iam::" + w.AccountID + ":user/" + w.UserName,
	}
	tmpl := LaunchTemplateRef{ID: lt.LaunchTemplateID, Name: lt.LaunchTemplateName, Version: "1"}
	instances := make(map[string]*Instance, n)
	c.Nodes = make([]*Node, 0, n)
	rollout := time.Date(2026, time.November, 18, 8, 0, 0, 0, time.UTC)
	var ng *Nodegroup
	for i := range n {
		if i%scaleNodegroupSize == 0 {
			size := int32(min(scaleNodegroupSize, n-i))
			ng = newNodegroup(w, r, g, c, fmt.Sprintf("windows-%03d", i/scaleNodegroupSize),
				"CUSTOM", images[3].ImageID, []string{"m6i.xlarge"}, size, rollout)
			ng.MaxSize = size
			ng.LaunchTemplate, ng.DiskSize = &LaunchTemplateRef{ID: tmpl.ID, Name: tmpl.Name, Version: tmpl.Version}, nil
		}
		rel := 3
		if d := i % 10; d >= 7 {
			rel = 9 - d // 7 → 2026.10.14, 8 → 2026.09.09, 9 → 2026.08.12
		}
		kubelet := kubelets[rel]
		// i%50 == 0 is always a node of the newest release (i%10 == 0), so
		// these are newest-AMI nodes one kubelet patch behind.
		if i%50 == 0 {
			kubelet = behind[kubelet]
		}
		sub := subnets[i%len(subnets)]
		addNode(r, c, g, nodeSpec{
			ip:           fmt.Sprintf("10.%d.%d.%d", 1+i>>16, i>>8&0xff, i&0xff),
			zone:         sub.AvailabilityZone,
			subnet:       sub,
			image:        images[rel],
			instanceType: "m6i.xlarge",
			kubelet:      kubelet,
			launched:     releases[rel].Add(48*time.Hour + time.Duration(i)*time.Second),
			nodegroup:    ng,
			template:     tmpl,
		}, instances, 100000+i)
	}
	finishCluster(c, 100000+n)
	fleet := NewFleet(map[string]*Cluster{c.Name: c}, instances)
	fleet.LaunchTemplates = []*LaunchTemplate{lt}
	return &Extra{Regions: map[string]*Fleet{region: fleet}}, nil
}

// AdoptFleetTemplates adds the extra fleets' launch templates to their
// regions, unless a region has them already (a world loaded from a state
// file keeps the versions a rollout added): EC2 serves them and EKS updates
// its node groups with them like any other.
func (w *World) AdoptFleetTemplates() {
	if w.Extra == nil {
		return
	}
	for name, f := range w.Extra.Regions {
		r := w.Region(name)
		if r == nil {
			continue
		}
		for _, lt := range f.LaunchTemplates {
			if r.LaunchTemplates == nil {
				r.LaunchTemplates = map[string]*LaunchTemplate{}
			}
			if r.LaunchTemplates[lt.LaunchTemplateID] == nil {
				r.LaunchTemplates[lt.LaunchTemplateID] = lt
			}
		}
	}
}

// extraGen draws the IDs of what is seeded beyond the persisted world in r
// (the scale cluster, the fleet): from a stream of its own, named after the
// region and what, and never one of r's persisted instances' IDs.
func extraGen(w *World, r *Region, what string) *gen {
	used := make(map[string]bool, len(r.Instances))
	for id := range r.Instances {
		used[id] = true
	}
	return &gen{rng: rand.New(rand.NewPCG(uint64(w.Seed), regionStream(r.Name+"/"+what))), used: used}
}

// releaseImages are r's AMIs of key's line, one for each of ReleaseDates,
// in its order.
func releaseImages(r *Region, key EKSWindowsKey) ([]*Image, error) {
	releases := ReleaseDates()
	images := make([]*Image, len(releases))
	for i, rel := range releases {
		if images[i] = imageNamed(r, key.AMIName(rel)); images[i] == nil {
			return nil, fmt.Errorf("the world has no %s in %s", key.AMIName(rel), r.Name)
		}
	}
	return images, nil
}
