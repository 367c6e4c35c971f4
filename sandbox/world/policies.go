package world

import "time"

// ManagedPolicy is an AWS managed policy: read-only data that every account
// sees at the same ARN. Only the default version is kept; it is what IAM
// evaluates.
type ManagedPolicy struct {
	Name        string
	Path        string
	PolicyID    string
	Description string
	// DefaultVersionID is e.g. "v2".
	DefaultVersionID string
	CreateDate       time.Time
	UpdateDate       time.Time
	// Document is the default version's policy document (JSON).
	Document string
}

// ARN is the policy's ARN in the aws partition.
func (p ManagedPolicy) ARN() string { return "arn:aws:iam::aws:policy" + p.Path + p.Name }

// More managed policies the seeded roles and users use.
const (
	PolicyAmazonEC2ContainerRegistryReadOnly = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"
	PolicyAmazonEC2ContainerRegistryPullOnly = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly"
)

// ManagedPolicies are the AWS managed policies the sandbox knows, by ARN,
// with the documents AWS publishes in its managed policy reference. (The
// service-linked roles' policies are not here: IAM lets no one attach or
// simulate them.)
func ManagedPolicies() map[string]ManagedPolicy {
	day := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, time.UTC) }
	list := []ManagedPolicy{
		{
			Name: "EC2InstanceProfileForImageBuilder", Path: "/", PolicyID: "ANPAYLKEOBX7WXTLHYFLV",
			Description:      "EC2 Instance profile for Image Builder service",
			DefaultVersionID: "v3",
			CreateDate:       day(2019, time.December, 19, 22, 29), UpdateDate: day(2023, time.June, 20, 19, 46),
			Document: `{"Version":"2012-10-17","Statement":[` +
				`{"Effect":"Allow","Action":["imagebuilder:GetComponent"],"Resource":"*"},` +
				`{"Effect":"Allow","Action":["kms:Decrypt"],"Resource":"*","Condition":{"ForAnyValue:StringEquals":{"kms:EncryptionContextKeys":"aws:imagebuilder:arn","aws:CalledVia":["imagebuilder.amazonaws.com"]}}},` +
				`{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::ec2imagebuilder*"},` +
				`{"Effect":"Allow","Action":["logs:CreateLogStream","logs:CreateLogGroup","logs:PutLogEvents"],"Resource":"arn:aws:logs:*:*:log-group:/aws/imagebuilder/*"}]}`,
		},
		{
			Name: "AmazonSSMManagedInstanceCore", Path: "/", PolicyID: "ANPAIXSHM2BNB2D3AXXRU",
			Description:      "The policy for Amazon EC2 Role to enable AWS Systems Manager service core functionality.",
			DefaultVersionID: "v2",
			CreateDate:       day(2019, time.March, 15, 17, 22), UpdateDate: day(2019, time.May, 23, 16, 54),
			Document: `{"Version":"2012-10-17","Statement":[` +
				`{"Effect":"Allow","Action":["ssm:DescribeAssociation","ssm:GetDeployablePatchSnapshotForInstance","ssm:GetDocument","ssm:DescribeDocument","ssm:GetManifest","ssm:GetParameter","ssm:GetParameters","ssm:ListAssociations","ssm:ListInstanceAssociations","ssm:PutInventory","ssm:PutComplianceItems","ssm:PutConfigurePackageResult","ssm:UpdateAssociationStatus","ssm:UpdateInstanceAssociationStatus","ssm:UpdateInstanceInformation"],"Resource":"*"},` +
				`{"Effect":"Allow","Action":["ssmmessages:CreateControlChannel","ssmmessages:CreateDataChannel","ssmmessages:OpenControlChannel","ssmmessages:OpenDataChannel"],"Resource":"*"},` +
				`{"Effect":"Allow","Action":["ec2messages:AcknowledgeMessage","ec2messages:DeleteMessage","ec2messages:FailMessage","ec2messages:GetEndpoint","ec2messages:GetMessages","ec2messages:SendReply"],"Resource":"*"}]}`,
		},
		{
			Name: "AmazonEC2ContainerRegistryReadOnly", Path: "/", PolicyID: "ANPAIFYZPA37OOHVIH7KQ",
			Description:      "Provides read-only access to Amazon EC2 Container Registry repositories.",
			DefaultVersionID: "v3",
			CreateDate:       day(2015, time.December, 21, 17, 4), UpdateDate: day(2019, time.December, 10, 20, 56),
			Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr:GetAuthorizationToken","ecr:BatchCheckLayerAvailability","ecr:GetDownloadUrlForLayer","ecr:GetRepositoryPolicy","ecr:DescribeRepositories","ecr:ListImages","ecr:DescribeImages","ecr:BatchGetImage","ecr:GetLifecyclePolicy","ecr:GetLifecyclePolicyPreview","ecr:ListTagsForResource","ecr:DescribeImageScanFindings"],"Resource":"*"}]}`,
		},
		{
			Name: "AmazonEC2ContainerRegistryPullOnly", Path: "/", PolicyID: "ANPAZKAPJZG4ONT6ZCEDM",
			Description:      "Provides access to pull images from Amazon EC2 Container Registry repositories.",
			DefaultVersionID: "v1",
			CreateDate:       day(2024, time.October, 4, 16, 58), UpdateDate: day(2024, time.October, 4, 16, 58),
			Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr:GetAuthorizationToken","ecr:BatchGetImage","ecr:GetDownloadUrlForLayer","ecr:BatchImportUpstreamImage"],"Resource":"*"}]}`,
		},
	}
	out := make(map[string]ManagedPolicy, len(list))
	for _, p := range list {
		out[p.ARN()] = p
	}
	return out
}
