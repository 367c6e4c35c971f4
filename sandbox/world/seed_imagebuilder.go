package world

// seedImageBuilder gives a region the AWS-managed Image Builder components
// and Windows Server base images.
func seedImageBuilder(w *World, r *Region, g *gen) {}
