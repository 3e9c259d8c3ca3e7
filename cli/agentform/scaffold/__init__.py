"""Starting an estate: `agentform init` and `agentform new`.

`files` decides what to write (the commented templates in `templates/`, agentform's
schemas, the CI recipes, .gitignore) and writes it without ever overwriting a file;
`sample` holds the example content `init` fills the templates with.
"""
