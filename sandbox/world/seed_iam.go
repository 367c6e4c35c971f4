package world

// seedIAM gives the account its roles and instance profiles.
func seedIAM(w *World, g *gen) {}
