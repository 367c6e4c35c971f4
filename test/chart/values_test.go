package chart

import (
	"slices"
	"strings"
	"testing"

	"helm.sh/helm/v4/pkg/chart/v2/lint"
	"helm.sh/helm/v4/pkg/chart/v2/lint/support"
	"k8s.io/apimachinery/pkg/api/resource"
)

func TestChartDefaults(t *testing.T) {
	files, err := render(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	o := decode(t, files)
	check(t, o)
	c := o.deployment.Spec.Template.Spec.Containers[0]
	// The cluster it runs in, through the pod's service account.
	want := []string{"drift", "--watch", "--interval=5m", "--metrics-addr=:9464", "--latest"}
	if !slices.Equal(c.Args, want) {
		t.Errorf("args %q, want %q", c.Args, want)
	}
	if c.Image != "public.ecr.aws/your-registry/winami:0.1.0" {
		t.Errorf("image %q: want the repository at the chart's appVersion", c.Image)
	}
	if len(c.Env) != 1 || c.Env[0].Name != "AWS_REGION" || c.Env[0].Value != "us-east-1" {
		t.Errorf("env %+v", c.Env)
	}
	if o.serviceMonitor != nil {
		t.Error("a ServiceMonitor by default: it needs the Prometheus Operator's CRD")
	}
	if o.serviceAccount == nil || o.role == nil || o.binding == nil {
		t.Fatal("no ServiceAccount, ClusterRole or binding by default")
	}
	if a := o.serviceAccount.Annotations; len(a) != 0 {
		t.Errorf("service account annotations %v without a role", a)
	}
	if a := o.service.Annotations; a["prometheus.io/scrape"] != "true" || a["prometheus.io/port"] != "9464" || a["prometheus.io/path"] != "/metrics" {
		t.Errorf("Service annotations %v", a)
	}
	if o.deployment.Name != "drift-winami-exporter" {
		t.Errorf("name %q", o.deployment.Name)
	}
}

func TestChartIRSAOneClusterServiceMonitor(t *testing.T) {
	files, err := render(t, map[string]any{
		"clusters": []any{"prod-eks"},
		"interval": "2m",
		"image":    map[string]any{"repository": "111122223333.dkr.ecr.us-east-1.amazonaws.com/winami", "tag": "v1.2.3"},
		"serviceAccount": map[string]any{
			"roleArn":     "arn:aws:iam::111122223333:role/winami-drift",
			"annotations": map[string]any{"team": "platform"},
		},
		"serviceMonitor": map[string]any{"enabled": true, "interval": "2m", "labels": map[string]any{"release": "kube-prometheus-stack"}},
		"resources":      map[string]any{"requests": map[string]any{"cpu": "50m", "memory": "128Mi"}, "limits": map[string]any{"memory": "512Mi"}},
		"extraArgs":      []any{"--fail-on=ami"},
	})
	if err != nil {
		t.Fatal(err)
	}
	o := decode(t, files)
	check(t, o)
	c := o.deployment.Spec.Template.Spec.Containers[0]
	want := []string{"drift", "--watch", "--interval=2m", "--metrics-addr=:9464", "--cluster=prod-eks", "--latest", "--fail-on=ami"}
	if !slices.Equal(c.Args, want) {
		t.Errorf("args %q, want %q", c.Args, want)
	}
	if c.Image != "111122223333.dkr.ecr.us-east-1.amazonaws.com/winami:v1.2.3" {
		t.Errorf("image %q", c.Image)
	}
	if got := c.Resources.Limits.Memory(); got.Cmp(resource.MustParse("512Mi")) != 0 || c.Resources.Requests.Cpu().String() != "50m" {
		t.Errorf("resources %+v", c.Resources)
	}
	a := o.serviceAccount.Annotations
	if a["eks.amazonaws.com/role-arn"] != "arn:aws:iam::111122223333:role/winami-drift" || a["team"] != "platform" {
		t.Errorf("service account annotations %v: want the IRSA role and the extra one", a)
	}
	sm := o.serviceMonitor
	if sm == nil {
		t.Fatal("serviceMonitor.enabled: no ServiceMonitor")
	}
	if sm.Labels["release"] != "kube-prometheus-stack" || string(sm.Spec.Endpoints[0].Interval) != "2m" || sm.Spec.Endpoints[0].Path != "/metrics" {
		t.Errorf("ServiceMonitor %+v", sm)
	}
}

func TestChartClustersDesiredAMINoRBAC(t *testing.T) {
	files, err := render(t, map[string]any{
		"clusters":       []any{"prod-a", "prod-b"},
		"latest":         false,
		"desiredAMI":     "ami-0abc1234def567890",
		"region":         "",
		"rbac":           map[string]any{"create": false},
		"serviceAccount": map[string]any{"create": false, "name": "existing"},
		"service":        map[string]any{"port": 9100, "scrapeAnnotations": false},
		"nodeSelector":   map[string]any{"kubernetes.io/os": "linux", "node-role": "tools"},
	})
	if err != nil {
		t.Fatal(err)
	}
	o := decode(t, files)
	check(t, o)
	pod := o.deployment.Spec.Template.Spec
	c := pod.Containers[0]
	want := []string{"drift", "--watch", "--interval=5m", "--metrics-addr=:9100", "--clusters=prod-a,prod-b", "--desired-ami=ami-0abc1234def567890"}
	if !slices.Equal(c.Args, want) {
		t.Errorf("args %q, want %q", c.Args, want)
	}
	if len(c.Env) != 0 {
		t.Errorf("env %+v without a region", c.Env)
	}
	if o.role != nil || o.binding != nil || o.serviceAccount != nil {
		t.Error("rbac.create and serviceAccount.create false: the chart still made them")
	}
	if pod.ServiceAccountName != "existing" || pod.NodeSelector["node-role"] != "tools" {
		t.Errorf("serviceAccountName %q, nodeSelector %v", pod.ServiceAccountName, pod.NodeSelector)
	}
	if len(o.service.Annotations) != 0 {
		t.Errorf("Service annotations %v with scrapeAnnotations false", o.service.Annotations)
	}
}

func TestChartAllClusters(t *testing.T) {
	files, err := render(t, map[string]any{"allClusters": true})
	if err != nil {
		t.Fatal(err)
	}
	o := decode(t, files)
	check(t, o)
	if args := o.deployment.Spec.Template.Spec.Containers[0].Args; !slices.Contains(args, "--all-clusters") || arg(args, "--cluster") != "" {
		t.Errorf("args %q, want --all-clusters", args)
	}
}

// values.schema.json refuses a misspelt or mistyped value, which the
// templates would otherwise quietly leave out.
func TestChartSchema(t *testing.T) {
	for _, tc := range []struct {
		values map[string]any
		want   string
	}{
		{map[string]any{"cluster": "prod"}, "cluster"},
		{map[string]any{"clusters": "prod"}, "clusters"},
		{map[string]any{"serviceAccount": map[string]any{"rolearn": "arn:aws:iam::111122223333:role/x"}}, "rolearn"},
		{map[string]any{"serviceAccount": map[string]any{"roleArn": "winami-drift"}}, "roleArn"},
		{map[string]any{"interval": "5 minutes"}, "interval"},
		{map[string]any{"service": map[string]any{"port": "9464"}}, "port"},
	} {
		_, err := render(t, tc.values)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("render(%v): %v, want a schema error naming %q", tc.values, err, tc.want)
		}
	}
}

// Values that contradict each other fail the render, naming the fix.
func TestChartRefusesContradictions(t *testing.T) {
	for _, tc := range []struct {
		values map[string]any
		want   string
	}{
		{map[string]any{"allClusters": true, "clusters": []any{"a"}}, "set clusters or allClusters, not both"},
		{map[string]any{"desiredAMI": "ami-0abc1234def567890"}, "set latest or desiredAMI, not both"},
	} {
		_, err := render(t, tc.values)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("render(%v): %v, want %q", tc.values, err, tc.want)
		}
	}
}

// Helm's own linter (what `helm lint` runs) finds nothing to warn about.
func TestChartLint(t *testing.T) {
	l := lint.RunAll(chartDir, nil, "monitoring")
	for _, m := range l.Messages {
		if m.Severity >= support.WarningSev {
			t.Errorf("helm lint: %s", m.Error())
		} else {
			t.Logf("helm lint: %s", m.Error())
		}
	}
}
