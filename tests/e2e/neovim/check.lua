-- Wait for Nudge's diagnostics in the current buffer, write them as JSON, quit.
vim.wait(20000, function() return #vim.diagnostic.get(0) > 0 end, 100)
local out = {}
for _, d in ipairs(vim.diagnostic.get(0)) do
  table.insert(out, { lnum = d.lnum, col = d.col, message = d.message, source = d.source })
end
local f = io.open(os.getenv('NUDGE_OUT'), 'w')
f:write(vim.fn.json_encode(out))
f:close()
vim.cmd('qa!')
