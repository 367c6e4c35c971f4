// Package amimeta is what winami records on the resources and AMIs it
// makes, for both sides: pkg/pipeline writes it and pkg/drift and the
// status commands read it, so neither reader depends on the writer.
package amimeta

// Tags winami puts on everything it manages.
const (
	TagSpec    = "winami:spec"
	TagManaged = "winami:managed"
	// TagHash is the content hash of an immutable resource's version: an
	// unchanged spec finds its hash and makes nothing new.
	TagHash = "winami:hash"
	// TagCache is the AMI tag that records the images an AMI caches: the
	// list itself when it fits a tag value, else "ssm:<parameter name>"
	// naming an SSM parameter (in the AMI's region) that holds it as JSON.
	TagCache = "winami:cache"
	// TagOSBuild is the Windows build (10.0.x.y) the AMI's build asserted;
	// drift compares it with what the node reports.
	TagOSBuild = "winami:os-build"
	// What the AMI was built from: the spec's Windows version, edition and
	// Kubernetes version, and the EKS release of the parent AMI.
	TagWindows    = "winami:windows"
	TagEdition    = "winami:edition"
	TagKubernetes = "winami:kubernetes"
	TagBase       = "winami:base"
)
