package awsapi

import "fmt"

// IncompleteReplyError is a reply that parsed but lacks a member AWS always
// sends: the endpoint is not AWS, or not working. Reading on would mean
// a nil pointer; reporting success would be a lie.
type IncompleteReplyError struct {
	// Operation is "EKS DescribeCluster"; Member the missing part, "cluster".
	Operation, Member string
}

func (e *IncompleteReplyError) Error() string {
	return fmt.Sprintf("%s answered without %s, which AWS always sends: the endpoint is not AWS or not working (check --endpoint-url and AWS_ENDPOINT_URL)", e.Operation, e.Member)
}

// Incomplete returns an IncompleteReplyError.
func Incomplete(operation, member string) error {
	return &IncompleteReplyError{Operation: operation, Member: member}
}
