package kube

import (
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/version"

	"github.com/winami/winami/sandbox/world"
)

// versionInfo is GET /version of a cluster's API server.
func versionInfo(c *world.Cluster) version.Info {
	major, minor, _ := strings.Cut(strings.TrimPrefix(c.Version, "v"), ".")
	return version.Info{
		Major:        major,
		Minor:        minor,
		GitVersion:   c.GitVersion,
		GitCommit:    "3f1c2e7a9d4b5c6e8f0a1b2c3d4e5f60718293a4",
		GitTreeState: "clean",
		BuildDate:    "2026-10-30T18:11:42Z",
		GoVersion:    "go1.25.3",
		Compiler:     "gc",
		Platform:     "linux/amd64",
	}
}

// apiVersions is GET /api: the legacy core group's versions.
func apiVersions(host string) metav1.APIVersions {
	return metav1.APIVersions{
		TypeMeta: metav1.TypeMeta{Kind: "APIVersions"},
		Versions: []string{"v1"},
		ServerAddressByClientCIDRs: []metav1.ServerAddressByClientCIDR{
			{ClientCIDR: "0.0.0.0/0", ServerAddress: host},
		},
	}
}

// apiGroups is GET /apis: the named groups, Karpenter's.
func apiGroups() metav1.APIGroupList {
	list := metav1.APIGroupList{
		TypeMeta: metav1.TypeMeta{Kind: "APIGroupList", APIVersion: "v1"},
		Groups:   []metav1.APIGroup{},
	}
	for _, g := range groupsOf() {
		list.Groups = append(list.Groups, apiGroup(g))
	}
	return list
}

// coreResources is GET /api/v1: of the core resources, only nodes and pods.
func coreResources() metav1.APIResourceList {
	return metav1.APIResourceList{
		TypeMeta:     metav1.TypeMeta{Kind: "APIResourceList", APIVersion: "v1"},
		GroupVersion: "v1",
		APIResources: []metav1.APIResource{{
			Name:         "nodes",
			SingularName: "node",
			Namespaced:   false,
			Kind:         "Node",
			Verbs:        metav1.Verbs{"get", "list", "watch"},
			ShortNames:   []string{"no"},
		}, podsResource},
	}
}
