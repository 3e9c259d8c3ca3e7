"""The server, through the official SDK: `client` (Remote: reads, writes, errors),
`state` (what the server holds, as plain data), `sessions` and `turns` (eval and run)."""
