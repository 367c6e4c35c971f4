package e2e

import (
	"context"
	"encoding/base64"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/drift"
)

// kubeconfig FILE CLUSTER writes a kubeconfig for a sandbox cluster, as
// `aws eks update-kubeconfig` would, but with the token written in (no
// aws CLI here): server and CA from DescribeCluster at $AWS_ENDPOINT_URL,
// a context named CLUSTER, and a context "stale" whose token is refused.
func cmdKubeconfig(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: kubeconfig FILE CLUSTER")
	}
	cfg := aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(ts.Getenv("AWS_ENDPOINT_URL")),
	}
	clients := awsapi.NewClients(cfg)
	rc, err := drift.ClusterConfig(context.Background(), clients.EKS(""), clients.STSClient(""), args[1])
	ts.Check(err)
	ca := base64.StdEncoding.EncodeToString(rc.CAData)
	doc := `apiVersion: v1
kind: Config
clusters:
- name: ` + args[1] + `
  cluster: {server: "` + rc.Host + `", certificate-authority-data: "` + ca + `"}
users:
- name: me
  user: {token: "` + rc.BearerToken + `"}
- name: stale
  user: {token: "k8s-aws-v1.bm90LWEtdXJs"}
contexts:
- name: ` + args[1] + `
  context: {cluster: ` + args[1] + `, user: me}
- name: stale
  context: {cluster: ` + args[1] + `, user: stale}
current-context: stale
`
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(doc), 0o600))
}
