// Package fastlaunch makes EC2 Fast Launch really take effect for an AMI:
// it checks what EC2 would refuse or silently ignore before enabling,
// enables idempotently, follows enabling to enabled, and audits whether
// launches will use the pre-provisioned snapshots at all. Its clients are
// awsapi's narrow interfaces (awsapi.EC2API, awsapi.IAMAPI).
package fastlaunch
