package web

import (
	"slices"
	"text/template/parse"
)

// Untranslated returns the text keys used as {{t "..."}} literals in the
// set's templates (layout included) that lang's catalogue lacks, sorted. A
// module's test asserts it is empty for "fr", so no page ships half in
// English.
func (p *Pages) Untranslated(lang string) []string {
	seen := map[string]bool{}
	var missing []string
	for _, set := range p.byLang["en"] {
		for _, t := range set.Templates() {
			if t.Tree == nil {
				continue
			}
			walkTextKeys(t.Tree.Root, func(key string) {
				if _, ok := p.messages[lang][key]; !ok && !seen[key] {
					seen[key] = true
					missing = append(missing, key)
				}
			})
		}
	}
	slices.Sort(missing)
	return missing
}

// walkTextKeys calls fn with the string literal argument of every call of
// t in the tree below n.
func walkTextKeys(n parse.Node, fn func(string)) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walkTextKeys(c, fn)
		}
	case *parse.ActionNode:
		walkTextKeys(n.Pipe, fn)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			walkTextKeys(c, fn)
		}
	case *parse.CommandNode:
		if len(n.Args) >= 2 {
			if id, ok := n.Args[0].(*parse.IdentifierNode); ok && id.Ident == "t" {
				if s, ok := n.Args[1].(*parse.StringNode); ok {
					fn(s.Text)
				}
			}
		}
		for _, a := range n.Args {
			walkTextKeys(a, fn)
		}
	case *parse.IfNode:
		walkBranch(&n.BranchNode, fn)
	case *parse.RangeNode:
		walkBranch(&n.BranchNode, fn)
	case *parse.WithNode:
		walkBranch(&n.BranchNode, fn)
	case *parse.TemplateNode:
		walkTextKeys(n.Pipe, fn)
	}
}

func walkBranch(b *parse.BranchNode, fn func(string)) {
	walkTextKeys(b.Pipe, fn)
	walkTextKeys(b.List, fn)
	walkTextKeys(b.ElseList, fn)
}
