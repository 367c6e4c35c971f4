package driftcmd

import (
	"github.com/winami/winami/internal/httpbound"
	"strings"
	"testing"
	"time"
)

// TestValidateInCluster: without --cluster and --kubeconfig, drift runs
// only in a pod (KUBERNETES_SERVICE_HOST set), and says so elsewhere.
func TestValidateInCluster(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	outside := &options{failOn: "any", interval: 5 * time.Minute, getenv: env(nil)}
	err := outside.validate()
	if err == nil || !strings.Contains(err.Error(), "one of --cluster or --kubeconfig is required") {
		t.Errorf("outside a pod: %v", err)
	}
	inPod := &options{failOn: "any", interval: 5 * time.Minute, watch: true, getenv: env(map[string]string{"KUBERNETES_SERVICE_HOST": "10.100.0.1"})}
	if err := inPod.validate(); err != nil {
		t.Errorf("in a pod: %v", err)
	}
	if !inPod.inCluster() {
		t.Error("in a pod: not inCluster")
	}
	// An explicit --kubeconfig wins over the pod's service account.
	inPod.kubeconfig = "/etc/kubeconfig"
	if inPod.inCluster() {
		t.Error("--kubeconfig in a pod: inCluster")
	}
}

// TestRestConfigInCluster: in a "pod" without a service account token,
// the error names the in-cluster config.
func TestRestConfigInCluster(t *testing.T) {
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	t.Setenv("KUBERNETES_SERVICE_PORT", "")
	o := &options{getenv: func(k string) string {
		return map[string]string{"KUBERNETES_SERVICE_HOST": "10.100.0.1"}[k]
	}}
	_, err := o.restConfig(t.Context(), nil, "us-east-1", httpbound.Limits{})
	if err == nil || !strings.Contains(err.Error(), "in-cluster config") {
		t.Errorf("restConfig: %v", err)
	}
}
