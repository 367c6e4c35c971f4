// Package deploy checks the Kubernetes manifests of deploy/ as the API
// server would read them: typed, with unknown fields refused.
package deploy

import (
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/winami/winami/test/manifest"
)

type manifests struct {
	namespace      *corev1.Namespace
	serviceAccount *corev1.ServiceAccount
	role           *rbacv1.ClusterRole
	binding        *rbacv1.ClusterRoleBinding
	deployment     *appsv1.Deployment
	service        *corev1.Service
}

// load decodes each document of the file into its typed object, strictly.
func load(t *testing.T, path string) manifests {
	t.Helper()
	var m manifests
	decodeDocs(t, path, func(kind string) any {
		switch kind {
		case "Namespace":
			return fresh(&m.namespace)
		case "ServiceAccount":
			return fresh(&m.serviceAccount)
		case "ClusterRole":
			return fresh(&m.role)
		case "ClusterRoleBinding":
			return fresh(&m.binding)
		case "Deployment":
			return fresh(&m.deployment)
		case "Service":
			return fresh(&m.service)
		}
		return nil
	})
	if m.namespace == nil || m.serviceAccount == nil || m.role == nil || m.binding == nil || m.deployment == nil || m.service == nil {
		t.Fatalf("%s: a document is missing: %+v", path, m)
	}
	return m
}

// fresh points *p at a new zero T and returns it: the object a document
// of T's kind decodes into.
func fresh[T any](p **T) any {
	*p = new(T)
	return *p
}

// decodeDocs decodes each YAML document of path strictly (unknown fields
// refused) into the object into gives for its kind; a kind into does not
// know (nil) fails the test.
func decodeDocs(t *testing.T, path string, into func(kind string) any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	manifest.Decode(t, path, data, func(kind, _ string) any { return into(kind) })
}

func TestDriftManifests(t *testing.T) {
	m := load(t, "../../deploy/winami-drift.yaml")
	ns := m.namespace.Name
	if ns != "winami" || m.serviceAccount.Namespace != ns || m.deployment.Namespace != ns || m.service.Namespace != ns {
		t.Errorf("namespaces: %s, sa %s, deployment %s, service %s", ns, m.serviceAccount.Namespace, m.deployment.Namespace, m.service.Namespace)
	}

	// RBAC: get and list on nodes, nothing else, bound to the pod's account.
	if len(m.role.Rules) != 1 {
		t.Fatalf("ClusterRole has %d rules, want 1", len(m.role.Rules))
	}
	rule := m.role.Rules[0]
	verbs := slices.Sorted(slices.Values(rule.Verbs))
	if !slices.Equal(rule.APIGroups, []string{""}) || !slices.Equal(rule.Resources, []string{"nodes"}) ||
		!slices.Equal(verbs, []string{"get", "list"}) || len(rule.ResourceNames) > 0 || len(rule.NonResourceURLs) > 0 {
		t.Errorf("ClusterRole rule %+v, want get and list on core nodes only", rule)
	}
	if m.role.AggregationRule != nil {
		t.Error("ClusterRole aggregates other roles")
	}
	b := m.binding
	if b.RoleRef.Kind != "ClusterRole" || b.RoleRef.Name != m.role.Name || len(b.Subjects) != 1 ||
		b.Subjects[0].Kind != "ServiceAccount" || b.Subjects[0].Name != m.serviceAccount.Name || b.Subjects[0].Namespace != ns {
		t.Errorf("ClusterRoleBinding %+v does not bind %s to %s/%s", b, m.role.Name, ns, m.serviceAccount.Name)
	}

	d := m.deployment
	pod := d.Spec.Template.Spec
	if d.Spec.Replicas == nil || *d.Spec.Replicas != 1 {
		t.Errorf("replicas %v, want 1", d.Spec.Replicas)
	}
	if pod.ServiceAccountName != m.serviceAccount.Name {
		t.Errorf("serviceAccountName %q", pod.ServiceAccountName)
	}
	if pod.NodeSelector["kubernetes.io/os"] != "linux" {
		t.Errorf("nodeSelector %v, want kubernetes.io/os: linux", pod.NodeSelector)
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	if len(c.Args) < 2 || c.Args[0] != "drift" || !slices.Contains(c.Args, "--watch") {
		t.Errorf("args %q, want drift --watch ...", c.Args)
	}
	for _, a := range c.Args {
		if strings.HasPrefix(a, "--cluster") || strings.HasPrefix(a, "--kubeconfig") {
			t.Errorf("arg %s: in the cluster, the pod's service account is the way in", a)
		}
	}

	// One port: the one --metrics-addr listens on, the probes hit, the
	// Service forwards to and the scrape annotations name.
	addr := ""
	for _, a := range c.Args {
		if v, ok := strings.CutPrefix(a, "--metrics-addr="); ok {
			addr = v
		}
	}
	_, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("--metrics-addr %q: %v", addr, err)
	}
	port, _ := strconv.Atoi(portStr)
	if len(c.Ports) != 1 || int(c.Ports[0].ContainerPort) != port {
		t.Fatalf("container ports %+v, want %d", c.Ports, port)
	}
	named := c.Ports[0].Name
	resolves := func(p intstr.IntOrString) bool {
		return (p.Type == intstr.String && p.StrVal == named) || (p.Type == intstr.Int && int(p.IntVal) == port)
	}
	// Only liveness: a readiness probe would hide the failing exporter's
	// error metrics from the scraper.
	if c.ReadinessProbe != nil {
		t.Error("a readiness probe would take a failing exporter, and its error metrics, out of the Service")
	}
	for name, probe := range map[string]*corev1.Probe{"liveness": c.LivenessProbe} {
		if probe == nil || probe.HTTPGet == nil {
			t.Errorf("%s probe: not an HTTP GET", name)
			continue
		}
		if probe.HTTPGet.Path != "/healthz" || !resolves(probe.HTTPGet.Port) {
			t.Errorf("%s probe: %s on %s, want /healthz on %d", name, probe.HTTPGet.Path, probe.HTTPGet.Port.String(), port)
		}
	}
	svc := m.service
	if len(svc.Spec.Ports) != 1 || !resolves(svc.Spec.Ports[0].TargetPort) || int(svc.Spec.Ports[0].Port) != port {
		t.Errorf("Service ports %+v, want %d to the container's %d", svc.Spec.Ports, port, port)
	}
	for k, v := range svc.Spec.Selector {
		if pod := d.Spec.Template.Labels[k]; pod != v {
			t.Errorf("Service selects %s=%s; the pods have %q", k, v, pod)
		}
	}
	if a := svc.Annotations; a["prometheus.io/scrape"] != "true" || a["prometheus.io/port"] != portStr || a["prometheus.io/path"] != "/metrics" {
		t.Errorf("Service annotations %v", a)
	}

	// Hardening.
	if c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() || c.Resources.Requests.Cpu().IsZero() {
		t.Errorf("resources %+v: requests and a memory limit are needed", c.Resources)
	}
	sc := c.SecurityContext
	if sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
		sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation || sc.Capabilities == nil ||
		!slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(sc.Capabilities.Add) > 0 {
		t.Errorf("container securityContext %+v", sc)
	}
}
