"""Language: .ept text to the syntax tree (attrs nodes with source spans), and back.

The grammar (`grammar/endpoint.lark`, shipped with its LALR tables: `parser_tables`), the
parser with its error recovery (`parser`, `recovery`, `cursor`, `repairs`,
`syntax_hints`, `dropped`), tree to nodes (`transformer`, `nodes`), nodes to text
(`printer`), and the diagnostics every stage reports with. It imports nothing of the
package but itself.
"""
