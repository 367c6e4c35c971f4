package amimeta

// Tags `winami ami copy` puts on the copy of an EKS optimized AMI it makes
// in the account, so a retry finds it instead of copying again and a spec
// with base.eksOptimized.copy finds it as its parent after Amazon has made
// the public AMI private.
const (
	// TagCopySource is the ID of the public AMI the copy was made from, in
	// the copy's region: what a reused copy reports as its source. (A
	// retry finds the copy by TagCopyOf, and CopyImage's client token,
	// made from this ID, keeps a retried call from copying twice.)
	TagCopySource = "winami:copy-source"
	// TagCopyOf is the name of that public AMI
	// (Windows_Server-…-EKS_Optimized-1.35-2026.10.14): what a spec looks
	// for, since the public AMI's ID may be gone.
	TagCopyOf = "winami:copy-of"
	// TagRelease is the EKS release version of the copied AMI, 1.35-2026.10.14.
	TagRelease = "winami:release"
)
