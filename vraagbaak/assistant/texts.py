"""Every sentence the assistant says, as gettext message ids (English source text).

The texts are marked with ``N_`` so that ``pybabel extract`` finds them; translations live in
translations/<lang>/LC_MESSAGES/messages.po and are looked up by :mod:`vraagbaak.assistant.i18n`.
Placeholders use ``{name}`` and are filled after translation.
"""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Marks a message for extraction; translation happens when it is said."""
    return message


#: {topics}: the topics of knowledge/topics.yaml as a list in the user's language (topics.py).
WELCOME = N_("Hello! I am Vraagbaak. I answer questions about your first months in the Netherlands: {topics}.")
PRIVACY = N_("Privacy: I do not ask for your name. Your questions are stored without who you "
             "are, to improve the answers.")
ASK_MUNICIPALITY = N_("Which municipality do you live in?")
ASK_LANGUAGE = N_("Which language do you want?")
OTHER_MUNICIPALITY = N_("Other municipality")
HELP = N_("Ask your question in your own words, for example: \"When is the waste collected?\" "
          "or \"How do I apply for healthcare allowance?\"")
LANGUAGE_SET = N_("I will answer in English from now on.")
MUNICIPALITY_SET = N_("I will give the answers for {municipality}.")
MUNICIPALITY_GENERAL = N_("I will give general answers. Rules can differ per municipality: "
                          "check them with your own municipality.")
SOURCE_LINE = N_("Source: {source} (checked on {date})")
NOT_TRANSLATED = N_("This answer is not translated into English yet. This is the Dutch text.")
BUTTON_HELPFUL = N_("Helpful")
BUTTON_NOT_HELPFUL = N_("Not helpful")
BUTTON_HUMAN = N_("Ask a person")
NO_ANSWER = N_("Sorry, I do not know the answer to that. Try to ask it in other words.")
HUMAN_WITH_PHONE = N_("You can also ask a person: call {municipality} on {phone} or look at {website}.")
HUMAN_GENERAL = N_("You can also ask a person: call your municipality, or ask VluchtelingenWerk "
                   "or a volunteer near you.")
HANDOFF_INTRO = N_("A volunteer cannot chat with you here yet. I have noted your request.")
FEEDBACK_THANKS = N_("Thank you for your feedback!")
FEEDBACK_SORRY = N_("Sorry that this did not help. Try to ask it in other words, or ask a person.")
# Someone is in danger now (vraagbaak/safety): one text per need. The numbers are placeholders
# filled from knowledge/safety/services.yaml, the one place that holds them.
EMERGENCY_MEDICAL = N_("Is someone in danger of dying, unconscious, not breathing well or badly hurt? "
                       "Call {alarm} now and ask for an ambulance.\n\nUrgent, but not life-threatening, "
                       "and your GP is closed? Call your GP's number: outside office hours you hear the "
                       "number of the huisartsenpost (out-of-hours GP). Not sure? Call {alarm}.")
EMERGENCY_VIOLENCE = N_("Are you or someone else in danger now? Call {alarm} now and ask for the police."
                        "\n\nFor help with violence at home, call Veilig Thuis on {veilig_thuis}: free, day "
                        "and night. You do not have to give your name.")
EMERGENCY_FIRE = N_("Fire or smoke? Get everyone out, close the doors behind you and call {alarm} now."
                    "\n\nDo you smell gas? Do not switch lights on or off and make no fire. Open windows "
                    "and doors, go outside and call {gas} (free, day and night). In danger? Call {alarm}.")
EMERGENCY_SUICIDE = N_("I am sorry that you feel this way. You are not alone. Talk to someone now: "
                       "call 113 Zelfmoordpreventie on {suicide_line} or free on {suicide_line_free}, or chat at 113.nl. "
                       "Day and night, and you may stay anonymous.\n\nIs there danger right now? Call {alarm}.")
OUT_OF_SCOPE = N_("I can only help with questions about {topics}.")
GOODBYE = N_("Goodbye, and good luck!")
YOU_ARE_WELCOME = N_("You are welcome! Ask me anything else about your first months in the Netherlands.")
BOT_CHALLENGE = N_("I am a computer program (a chatbot), not a person. I answer from checked "
                   "information of the government and the municipality.")
SOMETHING_WRONG = N_("Sorry, something went wrong on my side. Please try again in a moment.")
UNAVAILABLE = N_("Sorry, I cannot answer right now. Please try again later.")

# --- The web chat widget (vraagbaak/channels/static/widget.js): its own labels and buttons. ---
# Served per language by GET /api/widget-config (vraagbaak/channels/widget.py).
WIDGET_OPEN = N_("Ask a question")
WIDGET_CLOSE = N_("Close the chat")
WIDGET_SUBTITLE = N_("Answers for newcomers")
WIDGET_INPUT_LABEL = N_("Your question")
WIDGET_PLACEHOLDER = N_("Type your question here")
WIDGET_SEND = N_("Send")
WIDGET_NEW_CONVERSATION = N_("New conversation")
WIDGET_LANGUAGE = N_("Language")
WIDGET_TYPING = N_("Looking for an answer…")
WIDGET_YOU = N_("You:")
WIDGET_SOURCE = N_("Source:")
WIDGET_CHECKED_ON = N_("Checked on {date}")
WIDGET_NEW_TAB = N_("(opens in a new tab)")
WIDGET_CALL = N_("Call {phone}")
WIDGET_RETRY = N_("Try again")

# --- Limits against floods, in every channel (the web gateway, the Telegram bridge). ---
TOO_MANY = N_("You are sending many messages at once. Please wait a moment, then ask "
              "again.")
#: Under every refusal for too many or too long messages: a refusal must never be all that
#: someone in danger reads (a message that looks like an emergency is let through anyway).
IN_DANGER_CALL_112 = N_("Is someone in danger now? Call 112.")
MESSAGE_TOO_LONG = N_("Your message is too long for me. Please ask one question in a few "
                      "sentences.")

# --- The Telegram bridge (vraagbaak/channels/telegram/): its own replies and the command menu. ---
# The command names (/vergeet ...) stay as they are in every language: Telegram commands are Latin.
TELEGRAM_ONLY_TEXT = N_("Sorry, I can only read text messages for now. Please type your question.")
TELEGRAM_PRIVACY = N_("In this chat I do not store your name, phone number or Telegram account. "
                      "Telegram itself keeps the chat until you delete it in the app. Send "
                      "/vergeet to delete what I stored about you.")
TELEGRAM_FORGOTTEN = N_("Done: I deleted our conversation and your choices. Send /start to begin "
                        "again.")
TELEGRAM_FORGET_FAILED = N_("Sorry, I could not delete our conversation now. Please send /vergeet "
                            "again later.")
TELEGRAM_BUTTON_EXPIRED = N_("This button does not work anymore. Please ask your question again.")
TELEGRAM_COMMANDS = N_("You can also use these commands:")
COMMAND_START = N_("Start: choose your language and municipality")
COMMAND_LANGUAGE = N_("Choose your language")
COMMAND_MUNICIPALITY = N_("Choose your municipality")
COMMAND_HELP = N_("How to ask a question")
COMMAND_PRIVACY = N_("What I store about you")
COMMAND_FORGET = N_("Delete what I stored about you")

# --- The volunteers' desk (vraagbaak/desk/): what newcomers and volunteers read. ---
# To the newcomer. {name}: the first name or nickname a volunteer chose with /naam.
DESK_VOLUNTEER_SAYS = N_("{name} (volunteer):")
DESK_DEFAULT_NAME = N_("Volunteer")
# Above a reply of a volunteer who chose no name.
DESK_VOLUNTEER_SAYS_UNNAMED = N_("Volunteer:")
DESK_TICKET_CLOSED = N_("The volunteer has ended this conversation. I am back: you can ask me a "
                        "question again. Did the volunteer help you?")
# Asked before a conversation goes to the volunteers: what happens, what not to share, yes or no.
DESK_CONSENT = N_("I can pass this conversation to a volunteer who speaks your language. From now "
                  "on, the volunteers will read what you write here and what I answered before. "
                  "Never send your BSN, passport number or bank details. Do you want this?")
BUTTON_DESK_YES = N_("Yes, a volunteer")
BUTTON_DESK_NO = N_("No, thank you")
DESK_DECLINED = N_("All right. You can keep asking me questions.")
# After yes, when volunteers of the user's language are on duty.
DESK_OPENED = N_("A volunteer will answer you here. Until you press \"Done\", I will not answer "
                 "myself. Write your question now.")
# After yes, outside the volunteers' hours.
DESK_OPENED_OFF_DUTY = N_("The volunteers are not available at this moment. They will read your "
                          "message later, and their answer will come here. Until you press "
                          "\"Done\", I will not answer myself.")
# When no volunteer answered within the set time (VRAAGBAAK_DESK_TIMEOUT_MINUTES).
DESK_NO_ANSWER_YET = N_("Sorry, no volunteer has answered yet. Their answer will come here later.")
BUTTON_DESK_DONE = N_("Done")
DESK_CLOSED_BY_YOU = N_("The conversation with the volunteer has ended. I am back: you can ask me a "
                        "question again. Did the volunteer help you?")
DESK_ALREADY_OPEN = N_("You are talking with a volunteer. Write your message here. Press \"Done\" "
                       "to go back to the assistant.")
COMMAND_DONE = N_("End the conversation with a volunteer")
# To the volunteers, in their group's topic for one ticket. The command names stay as they are.
DESK_TOPIC_OPENED = N_("Ticket #{ticket}: a newcomer asks for help. Write your answer in this topic: "
                       "the newcomer gets it from the bot. /klaar ends the conversation, /artikel "
                       "saves the answer as a draft article, /naam sets the name the newcomer sees.")
DESK_FROM_NEWCOMER = N_("Newcomer:")
DESK_FROM_ASSISTANT = N_("Vraagbaak answered:")
DESK_ONLY_TEXT = N_("Sorry, I cannot pass on photos, voice messages or files yet. Please write your "
                    "answer as text.")
DESK_TICKET_IS_CLOSED = N_("This ticket is closed, so your message was not sent. If the newcomer "
                           "asks for a person again, a new ticket opens.")
DESK_CLOSED_DONE = N_("Ticket #{ticket} is closed. The newcomer has been told.")
DESK_NEWCOMER_CLOSED = N_("Ticket #{ticket}: the newcomer has ended the conversation.")
DESK_NEWCOMER_WAITED = N_("Ticket #{ticket}: nobody answered in time. The newcomer was told that the "
                          "answer will come later. You can still answer here.")
DESK_NOT_DELIVERED = N_("Sorry, your message could not be delivered to the newcomer. They may have "
                        "left the chat.")
DESK_QUEUED = N_("The newcomer will get your message as soon as they write to the bot again.")
DESK_NOT_A_TICKET = N_("Use this command in the topic of a ticket.")
DESK_DRAFT_SAVED = N_("Saved as a draft article: {draft}. It is not used in answers until someone "
                      "checks it and adds it to the knowledge base.")
DESK_DRAFT_NOTHING = N_("There is no answer from a volunteer in this ticket yet, so there is nothing "
                        "to save.")
DESK_NAME_SET = N_("Newcomers now see your name as: {name}")
DESK_NAME_HELP = N_("Write /naam and the first name or nickname newcomers should see, for example: "
                    "/naam Semhar. Use 1 to 32 letters or digits; not your full name.")
