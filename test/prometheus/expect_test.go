package prometheus

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"
)

// wantSeries is one series a panel's query must return: its labels (each
// value a regular expression, anchored) and a check of its value at the
// evaluation time.
type wantSeries struct {
	labels map[string]string
	value  func(v, at float64) error
}

func eq(want float64) func(v, at float64) error {
	return func(v, _ float64) error {
		if v != want {
			return fmt.Errorf("value %g, want %g", v, want)
		}
		return nil
	}
}

func between(lo, hi float64) func(v, at float64) error {
	return func(v, _ float64) error {
		if v < lo || v > hi {
			return fmt.Errorf("value %g, want it in [%g, %g]", v, lo, hi)
		}
		return nil
	}
}

// demoRelease is the newest EKS optimized Windows Server 2022 Core release
// for Kubernetes 1.35 that the sandbox serves (its SSM parameter's date).
var demoRelease = time.Date(2026, 11, 11, 0, 0, 0, 0, time.UTC)

// expectations are the series each panel must show for the sandbox's demo
// cluster (docs/sandbox.md): 10 Windows nodes, 9 on the current AMI (8 on
// kubelet 1.35.2, one on 1.35.0) and the Karpenter node on October's AMI
// and Windows build; with --latest, 2 drifted nodes with 3 reasons.
func expectations(metricsAddr string) map[string][]wantSeries {
	ami := `ami-[0-9a-f]{8,17}`
	none := map[string]string{}
	return map[string][]wantSeries{
		"Windows nodes": {{none, eq(10)}},
		"Drifted nodes": {{none, eq(2)}},
		"Newest EKS release age": {{map[string]string{"windows": "2022", "edition": "Core", "kubernetes": `1\.35`},
			func(v, at float64) error {
				days := (at - float64(demoRelease.Unix())) / 86400
				if v < days-0.01 || v > days+0.01 {
					return fmt.Errorf("value %g days, want %.2f (since %s)", v, days, demoRelease.Format(time.DateOnly))
				}
				return nil
			}}},
		"Windows nodes by AMI": {
			{map[string]string{"ami": ami}, eq(9)},
			{map[string]string{"ami": ami}, eq(1)},
		},
		"Drifted nodes by reason": {
			{map[string]string{"reason": "kubelet-differs"}, eq(1)},
			{map[string]string{"reason": "ami-not-latest"}, eq(1)},
			{map[string]string{"reason": "os-build-differs"}, eq(1)},
		},
		"Windows nodes by AMI, kubelet and Windows build": {
			{map[string]string{"ami": ami, "kubelet": `1\.35\.2`, "build": `10\.0\.20348\.4391`}, eq(8)},
			{map[string]string{"ami": ami, "kubelet": `1\.35\.0`, "build": `10\.0\.20348\.4391`}, eq(1)},
			{map[string]string{"ami": ami, "kubelet": `1\.35\.2`, "build": `10\.0\.20348\.4278`}, eq(1)},
		},
		"Drifted nodes and their reasons": {
			{map[string]string{"node": `ip-172-31-0-6\.ec2\.internal`, "reason": "kubelet-differs"}, eq(1)},
			{map[string]string{"node": `ip-172-31-39-36\.ec2\.internal`, "reason": "ami-not-latest"}, eq(1)},
			{map[string]string{"node": `ip-172-31-39-36\.ec2\.internal`, "reason": "os-build-differs"}, eq(1)},
		},
		"Scrape up":         {{map[string]string{"instance": regexp.QuoteMeta(metricsAddr)}, eq(1)}},
		"Last good report":  {{none, between(0, 30)}},
		"Clusters read":     {{none, eq(1)}},
		"Failed runs (1h)":  {{none, eq(0)}},
		"Last run duration": {{none, between(1e-6, 10)}},
		"Drift runs by result": {
			{map[string]string{"result": "ok"}, between(0, 60)},
			{map[string]string{"result": "error"}, eq(0)},
		},
		"variable job": {{map[string]string{"job": jobName}, eq(1)}},
	}
}

// match pairs each series with one wanted series, in any order. A cluster
// label, once the exporter serves one, must be the demo cluster's.
func match(got []series, want []wantSeries, at float64) error {
	if len(got) != len(want) {
		return fmt.Errorf("%d series %v, want %d", len(got), got, len(want))
	}
	used := make([]bool, len(want))
	for _, g := range got {
		labels := maps.Clone(g.labels)
		if c, ok := labels["cluster"]; ok {
			if c != "demo" {
				return fmt.Errorf("series %v: cluster %q, want demo", g.labels, c)
			}
			delete(labels, "cluster")
		}
		var why []string
		found := false
		for i, w := range want {
			if used[i] {
				continue
			}
			if err := sameLabels(labels, w.labels); err != nil {
				why = append(why, err.Error())
				continue
			}
			if err := w.value(g.value, at); err != nil {
				why = append(why, err.Error())
				continue
			}
			used[i], found = true, true
			break
		}
		if !found {
			return fmt.Errorf("series %v %g matches no wanted series: %s", g.labels, g.value, strings.Join(why, "; "))
		}
	}
	return nil
}

func sameLabels(got, want map[string]string) error {
	if !slices.Equal(slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want))) {
		return fmt.Errorf("labels %v, want %v", slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
	}
	for k, re := range want {
		if !regexp.MustCompile(`^(?:` + re + `)$`).MatchString(got[k]) {
			return fmt.Errorf("%s=%q, want %s", k, got[k], re)
		}
	}
	return nil
}
