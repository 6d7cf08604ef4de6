-- The README's snippet for Neovim before 0.11, as a test runs it. NUDGE_CMD is the
-- server command the test passes in (the README writes { 'nudge', 'lsp' }).
vim.api.nvim_create_autocmd('FileType', {
  pattern = { 'markdown', 'text', 'tex', 'rst' },
  callback = function(args)
    local config = {
      name = 'nudge',
      cmd = vim.split(os.getenv('NUDGE_CMD'), '\t'),
      root_dir = vim.fn.getcwd(),
      settings = { nudge = { minConfidence = 0.6 } },
    }
    if vim.lsp.start then
      vim.lsp.start(config) -- Neovim 0.8 to 0.10
    else
      local id = vim.lsp.start_client(config) -- Neovim 0.7 (Debian 12 ships 0.7.2)
      if id then vim.lsp.buf_attach_client(args.buf, id) end
    end
  end,
})
