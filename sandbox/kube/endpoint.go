package kube

// PathPrefix starts the path of every sandbox Kubernetes API request:
// "/k8s/<region>/<cluster>/<Kubernetes API path>" for the default
// account's clusters, "/k8s/<account>/<region>/<cluster>/…" for another
// account's (the default account's answer at that form too).
const PathPrefix = "/k8s/"

// Endpoint is the API server URL of a cluster, as EKS DescribeCluster
// reports it, for a sandbox reached at host ("127.0.0.1:4566"): https, on
// the sandbox's own port, which speaks TLS besides plain HTTP. client-go
// and kubectl accept a server URL with a path and prefix every request
// with it. The region is part of it because cluster names are unique per
// account and region only, and so is account, the owner, unless it is ""
// (the default account, whose endpoints keep their shorter form).
func Endpoint(host, account, region, cluster string) string {
	if account != "" {
		return "https://" + host + PathPrefix + account + "/" + region + "/" + cluster
	}
	return "https://" + host + PathPrefix + region + "/" + cluster
}
