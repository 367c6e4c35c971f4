// Package chart renders the Helm chart of deploy/chart with Helm's own Go
// library, for several sets of values, and reads every object it makes as
// the API server would: typed, with unknown fields refused.
package chart

import (
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/common/util"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/engine"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/winami/winami/test/manifest"
)

const chartDir = "../../deploy/chart/winami-exporter"

// objects are the rendered chart's objects, by kind.
type objects struct {
	serviceAccount *corev1.ServiceAccount
	role           *rbacv1.ClusterRole
	binding        *rbacv1.ClusterRoleBinding
	deployment     *appsv1.Deployment
	service        *corev1.Service
	serviceMonitor *monitoringv1.ServiceMonitor
}

// render renders the chart as `helm template` would for a release "drift"
// in namespace "monitoring", with the values given over values.yaml.
func render(t *testing.T, values map[string]any) (map[string]string, error) {
	t.Helper()
	chrt, err := loader.Load(chartDir)
	if err != nil {
		t.Fatalf("loading the chart: %v", err)
	}
	// The values are checked against values.schema.json here, as helm
	// install does.
	vals, err := util.ToRenderValues(chrt, values, common.ReleaseOptions{Name: "drift", Namespace: "monitoring", IsInstall: true}, nil)
	if err != nil {
		return nil, err
	}
	// Strict: a template reading a value that values.yaml does not have
	// fails, rather than rendering nothing.
	return engine.Engine{Strict: true}.RenderWithContext(t.Context(), chrt, vals)
}

// decode reads every object of the rendered files into its Kubernetes type.
func decode(t *testing.T, files map[string]string) objects {
	t.Helper()
	var o objects
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if path.Ext(name) != ".yaml" {
			continue // NOTES.txt, _helpers.tpl
		}
		manifest.Decode(t, name, []byte(files[name]), func(kind, apiVersion string) any {
			var obj any
			var want string
			switch kind {
			case "ServiceAccount":
				o.serviceAccount, obj, want = &corev1.ServiceAccount{}, &o.serviceAccount, "v1"
			case "ClusterRole":
				o.role, obj, want = &rbacv1.ClusterRole{}, &o.role, "rbac.authorization.k8s.io/v1"
			case "ClusterRoleBinding":
				o.binding, obj, want = &rbacv1.ClusterRoleBinding{}, &o.binding, "rbac.authorization.k8s.io/v1"
			case "Deployment":
				o.deployment, obj, want = &appsv1.Deployment{}, &o.deployment, "apps/v1"
			case "Service":
				o.service, obj, want = &corev1.Service{}, &o.service, "v1"
			case "ServiceMonitor":
				o.serviceMonitor, obj, want = &monitoringv1.ServiceMonitor{}, &o.serviceMonitor, "monitoring.coreos.com/v1"
			default:
				return nil
			}
			if apiVersion != want {
				t.Errorf("%s: %s has apiVersion %q, want %q", name, kind, apiVersion, want)
			}
			return obj
		})
	}
	if o.deployment == nil || o.service == nil {
		t.Fatalf("no Deployment or Service rendered: %v", slices.Sorted(maps.Keys(files)))
	}
	return o
}

// check holds for every set of values: one exporter, reachable on one
// port, hardened, on Linux.
func check(t *testing.T, o objects) {
	t.Helper()
	d := o.deployment
	pod := d.Spec.Template.Spec
	if d.Namespace != "monitoring" || o.service.Namespace != "monitoring" {
		t.Errorf("namespaces: deployment %q, service %q", d.Namespace, o.service.Namespace)
	}
	if d.Spec.Replicas == nil || *d.Spec.Replicas != 1 || d.Spec.Strategy.Type != appsv1.RecreateDeploymentStrategyType {
		t.Errorf("replicas %v, strategy %q: want one, Recreate", d.Spec.Replicas, d.Spec.Strategy.Type)
	}
	for k, v := range d.Spec.Selector.MatchLabels {
		if d.Spec.Template.Labels[k] != v {
			t.Errorf("the Deployment selects %s=%s; its pods have %q", k, v, d.Spec.Template.Labels[k])
		}
	}
	if pod.NodeSelector["kubernetes.io/os"] != "linux" {
		t.Errorf("nodeSelector %v, want kubernetes.io/os: linux", pod.NodeSelector)
	}
	if o.serviceAccount != nil && pod.ServiceAccountName != o.serviceAccount.Name {
		t.Errorf("serviceAccountName %q, the chart's account is %q", pod.ServiceAccountName, o.serviceAccount.Name)
	}
	if psc := pod.SecurityContext; psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser == 0 {
		t.Errorf("pod securityContext %+v: want non-root", psc)
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers", len(pod.Containers))
	}
	c := pod.Containers[0]
	if len(c.Args) < 2 || c.Args[0] != "drift" || c.Args[1] != "--watch" {
		t.Errorf("args %q, want drift --watch …", c.Args)
	}
	parseArgs(t, c.Args)
	sc := c.SecurityContext
	if sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
		sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation || sc.Capabilities == nil ||
		!slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) {
		t.Errorf("container securityContext %+v", sc)
	}
	if c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
		t.Errorf("resources %+v: a memory request and limit are needed", c.Resources)
	}
	if c.ReadinessProbe != nil {
		t.Error("a readiness probe would take a failing exporter, and its error metrics, out of the Service")
	}
	// One port: the one --metrics-addr listens on, the probe hits, the
	// Service forwards to and the ServiceMonitor scrapes.
	addr := arg(c.Args, "--metrics-addr")
	if len(c.Ports) != 1 || addr != ":"+strconv.Itoa(int(c.Ports[0].ContainerPort)) {
		t.Fatalf("--metrics-addr %q, container ports %+v", addr, c.Ports)
	}
	port := c.Ports[0]
	if p := c.LivenessProbe; p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/healthz" || p.HTTPGet.Port.String() != port.Name {
		t.Errorf("liveness probe %+v, want GET /healthz on %s", p, port.Name)
	}
	svc := o.service
	if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].TargetPort.String() != port.Name || svc.Spec.Ports[0].Port != port.ContainerPort {
		t.Errorf("Service ports %+v, want %d to %s", svc.Spec.Ports, port.ContainerPort, port.Name)
	}
	for k, v := range svc.Spec.Selector {
		if d.Spec.Template.Labels[k] != v {
			t.Errorf("the Service selects %s=%s; the pods have %q", k, v, d.Spec.Template.Labels[k])
		}
	}
	if o.role != nil {
		if len(o.role.Rules) != 1 || !slices.Equal(o.role.Rules[0].Resources, []string{"nodes"}) ||
			!slices.Equal(slices.Sorted(slices.Values(o.role.Rules[0].Verbs)), []string{"get", "list"}) {
			t.Errorf("ClusterRole rules %+v, want get and list on nodes only", o.role.Rules)
		}
		b := o.binding
		if b == nil || b.RoleRef.Name != o.role.Name || len(b.Subjects) != 1 || b.Subjects[0].Name != pod.ServiceAccountName || b.Subjects[0].Namespace != d.Namespace {
			t.Errorf("ClusterRoleBinding %+v does not bind %s to the pod's account", b, o.role.Name)
		}
	}
	if sm := o.serviceMonitor; sm != nil {
		if len(sm.Spec.Endpoints) != 1 || sm.Spec.Endpoints[0].Port != svc.Spec.Ports[0].Name {
			t.Errorf("ServiceMonitor endpoints %+v, want the Service's port %s", sm.Spec.Endpoints, svc.Spec.Ports[0].Name)
		}
		for k, v := range sm.Spec.Selector.MatchLabels {
			if svc.Labels[k] != v {
				t.Errorf("the ServiceMonitor selects %s=%s; the Service has %q", k, v, svc.Labels[k])
			}
		}
		if !slices.Equal(sm.Spec.NamespaceSelector.MatchNames, []string{svc.Namespace}) {
			t.Errorf("ServiceMonitor namespaces %v, want %s", sm.Spec.NamespaceSelector.MatchNames, svc.Namespace)
		}
	}
}

// arg is the value of --name=value in args ("" when absent).
func arg(args []string, name string) string {
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v
		}
	}
	return ""
}
