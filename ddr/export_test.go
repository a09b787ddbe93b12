package ddr

// Untranslated lists the French texts missing from templates/fr.json.
func (s *Service) Untranslated() []string { return s.pages.Untranslated("fr") }
