"""The assistant's own server-side pieces for Rasa: channels (the chat widget's files: bot.channels)."""
