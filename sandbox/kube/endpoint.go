package kube

// PathPrefix starts the path of every sandbox Kubernetes API request:
// "/k8s/<region>/<cluster>/<Kubernetes API path>".
const PathPrefix = "/k8s/"

// Endpoint is the API server URL of a cluster, as EKS DescribeCluster
// reports it, for a sandbox reached at host ("127.0.0.1:4566"): https, on
// the sandbox's own port, which speaks TLS besides plain HTTP. client-go
// and kubectl accept a server URL with a path and prefix every request
// with it. The region is part of it because cluster names are unique per
// region only.
func Endpoint(host, region, cluster string) string {
	return "https://" + host + PathPrefix + region + "/" + cluster
}
