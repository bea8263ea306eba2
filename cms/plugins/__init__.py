"""The plugin contract: how a plugin plugs into the portal (see ``base.PluginConfig``)."""
