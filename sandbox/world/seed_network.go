package world

// seedNetwork gives a region its default VPC, subnets, security group and
// launch templates.
func seedNetwork(w *World, r *Region, g *gen) {}
