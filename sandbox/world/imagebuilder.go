package world

// ImageBuilder is one region's EC2 Image Builder state: the AWS-managed
// components and images, and the account's own resources. Its fields are
// defined by the sandbox's imagebuilder service.
type ImageBuilder struct{}
