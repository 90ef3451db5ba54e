"""The bot's command menu, in each language of the flow.

Command names are the same everywhere (Telegram allows only a-z, 0-9 and _); the flow's
catalogues understand them as words ("/mydata" -> my_data), so only the descriptions change.
"""

from telegram import Bot, BotCommand

COMMANDS = ("start", "help", "language", "person", "mydata", "delete", "stop")
DEFAULT_LANG = "en"  # for clients in a language the flow does not speak
DESCRIPTIONS = {
    "en": ("Start, or pick up where you left off", "Help with this question",
           "Change language", "Talk to a person", "See my data", "Delete my data",
           "Pause the conversation"),
    "pt": ("Começar, ou continuar onde ficou", "Ajuda com esta pergunta", "Mudar de língua",
           "Falar com uma pessoa", "Ver os meus dados", "Apagar os meus dados",
           "Fazer uma pausa"),
    "it": ("Inizia, o riprendi da dove eri", "Aiuto con questa domanda", "Cambia lingua",
           "Parla con una persona", "Vedi i miei dati", "Cancella i miei dati",
           "Metti in pausa"),
    "es": ("Empezar, o seguir donde lo dejó", "Ayuda con esta pregunta", "Cambiar de idioma",
           "Hablar con una persona", "Ver mis datos", "Borrar mis datos", "Hacer una pausa"),
    "fr": ("Commencer, ou reprendre où vous étiez", "Aide pour cette question",
           "Changer de langue", "Parler à une personne", "Voir mes données",
           "Effacer mes données", "Faire une pause"),
}  # fmt: skip


def menu(lang: str) -> list[BotCommand]:
    return [BotCommand(name, text) for name, text in zip(COMMANDS, DESCRIPTIONS[lang], strict=True)]


async def set_menus(bot: Bot) -> None:
    await bot.set_my_commands(menu(DEFAULT_LANG))
    for lang in DESCRIPTIONS:
        await bot.set_my_commands(menu(lang), language_code=lang)
