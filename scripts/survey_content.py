"""Hand-written phrase banks for the open answers of the Brightwave sample survey.

``REASONS[persona][band]`` answer Q6 ("What is the main reason for your score?") for NPS bands
``detractor`` (0-6), ``passive`` (7-8) and ``promoter`` (9-10). ``CHANGES[persona]`` answer Q7
("If you could change one thing ..."), ``CONTACTS[persona][valence]`` answer Q8 ("Tell us about
the last time you contacted us."). ``make_sample_study.py`` combines and lightly varies them.
"""

from __future__ import annotations

REASONS: dict[str, dict[str, list[str]]] = {
    "remote-worker": {
        "detractor": [
            "Outage last week took me offline for most of a working day and the app status page "
            'said "no known issues in your area" the whole time.',
            "I work from home and the connection has dropped three times this month, always "
            "mid video call. Support just tells me to restart the router.",
            "The webchat bot is a brick wall. I'd already rebooted, the PON light was red, and it "
            "still made me go through the same script before I got an agent.",
            "Paying for 500Mb but the upload in the evenings is nowhere near the 110 they "
            "advertise. The speed test in the app shows it every day.",
            "Engineer cancelled the install the day before by text, no reason given. Had to work "
            "from a café for a week.",
            "£7.50 compensation for a full day outage, when I run my business from home, is a "
            "joke.",
            "Complained by email about repeated dropouts and got a templated reply with Wi-Fi "
            "tips. It's not my Wi-Fi, it's the line.",
            "No backup of any kind. When the fibre goes down I'm tethering off my phone and "
            "burning through my data.",
            'They never say when a fault will be fixed. "Engineers are working on it" for 14 '
            "hours is not an update.",
        ],
        "passive": [
            "Fast when it works and the upload is great for work calls, but there have been a "
            "couple of outages with no warning.",
            "Speed is good and the app is fine for the bill and speed tests. Support is slow.",
            "Installation was quick and the engineer was helpful, I just wish the router reached "
            "my office upstairs.",
            "Does the job for working from home. Nothing special, nothing terrible. Chat took 40 "
            "minutes last time.",
            "Good price for full fibre, but the April price rise was a percentage, not pounds, "
            "so I had to work it out myself.",
            "Mostly reliable. The one time it went down they texted me updates, which helped.",
            "Happy with the speeds, less happy that the app keeps logging me out.",
            "Solid connection, but I'd like honest status info on the website when there is a "
            "problem.",
        ],
        "promoter": [
            "Upload speed is brilliant, I send huge files to clients in minutes instead of "
            "hours. Game changer for working from home.",
            "Ordered online in ten minutes, the router came the next day and it just worked. "
            "Never needed to speak to anyone.",
            "Rock solid connection for months, not a single dropout on my Teams calls.",
            "The My Brightwave app does everything I need: bills, speed test, router restart, "
            "guest Wi-Fi.",
            "The engineer was on time, put the router exactly where I wanted it in my office and "
            "tested the speed with me.",
            "Had one fault, reported it in the app and it was fixed the same afternoon with text "
            "updates along the way.",
            "Fast, reliable, and they let me use my own router without any fuss.",
            "Best broadband I've had. Great upload, clear pricing on the website, no nonsense.",
        ],
    },
    "budget-family": {
        "detractor": [
            'The price went up in April by "CPI plus 3.9%" and nobody explained what that meant '
            "in actual pounds.",
            "First bill was £38 when I'd been told £12.50 with the half price offer. I had to "
            "find that money with three kids.",
            "New customers get the same package for £22 and I'm paying £29 as a loyal customer. "
            "It's insulting.",
            "Had to threaten to cancel on webchat before they would offer me a better price. I "
            "shouldn't have to do that.",
            "Still waiting for my £100 cashback 14 weeks later. The claim form was a nightmare.",
            "Charged a £10 late payment fee because my direct debit bounced by two days.",
            "The Wi-Fi doesn't reach the kids' bedrooms and they want £5 a month for a booster.",
            "The bill keeps changing every month and I can't work out why from the app.",
            "It took three weeks and a post on their Facebook page before anyone looked at the "
            "evening dropouts.",
        ],
        "passive": [
            "Cheap enough and it copes with the kids streaming and gaming, but the price rise "
            "letter was a nasty surprise.",
            "Fine for the money. The webchat bot is useless but the agents are OK once you get "
            "one.",
            "Decent deal when we joined. We'll see what they offer at the end of the contract.",
            "Good value compared to what we paid before, but I had to chase the cashback twice.",
            "Works for the family. Parental controls in the app are handy. Customer service is "
            "hit and miss.",
            "Haggled at renewal and got a fair price, but only after saying I was leaving.",
            "It's ok. Some evenings it slows down when everyone's on, but for £25 a month I can't "
            "complain too much.",
            "Their Facebook team sorted my problem quicker than the phone line ever did.",
        ],
        "promoter": [
            "Best price we could find on the comparison site and it's actually reliable. Kids are "
            "happy, I'm happy.",
            "The retention team gave me £24 fixed for two years with no mid-contract rise. "
            "Really fair.",
            "The app lets me pause the kids' Wi-Fi at bedtime. Worth it for that alone!",
            "Cashback came through, half price for 3 months, no hidden charges. Did what it said.",
            "The price rise was explained in pounds in a text and an email, so no surprises.",
            "Messaged them on Instagram about a billing mistake and it was refunded the same day.",
            "Cheapest full fibre round here and the setup was just plug in and go.",
            "The social tariff at £15 a month has made a real difference to our household budget.",
        ],
    },
    "cautious-switcher": {
        "detractor": [
            "I was on hold for 45 minutes on the helpline and then cut off. At my age I don't "
            "want to use the chat.",
            "Nobody told me my old email address would stop working. I lost messages from my "
            "family.",
            "The engineer didn't turn up and nobody rang to say so. I had waited in all morning.",
            "When the power went, the phone went too. Nobody warned me the landline now goes "
            "through the router.",
            "They keep sending emails when I asked for letters, and then they want £1.50 a month "
            "for a paper bill.",
            "Switching was far more stressful than I was told. Three days without the phone line.",
            "The app wants codes sent to my mobile and I keep getting locked out. I just want to "
            "speak to a person.",
            "The first bill was much higher than the lady in the shop said and the explanation "
            "made no sense to me.",
        ],
        "passive": [
            "The lady in the shop was very helpful, but the switch itself was worrying and took "
            "longer than expected.",
            "Cheaper than before and the internet is fine. I still don't understand the router "
            "lights.",
            "Good once it was set up. Getting through on the phone takes too long.",
            "The staff in the store were kind, but the letters and emails were confusing.",
            "It works and my number came across, but I had a few anxious weeks getting there.",
            "Reasonable. I would prefer paper bills without paying extra for them.",
            "The phone staff were polite, but I had to ring three times to get the engineer "
            "booked.",
            "Happy enough. My son had to help me with the app.",
        ],
        "promoter": [
            "The young man in the Brightwave shop sat with me for an hour and explained "
            "everything. I felt looked after.",
            "I was very nervous about switching after 30 years, but they kept my phone number "
            "and it all went smoothly.",
            "The engineer was a gentleman, tested the phone with me and tidied up after himself.",
            "Every time I ring, a real person helps me, and they send a letter confirming what "
            "was agreed.",
            "Much cheaper than my old provider and the video calls with my grandchildren don't "
            "freeze any more.",
            "They wrote to me clearly about the price change, in pounds, and the shop explained "
            "it again.",
            "They sent a free battery pack for the phone after I wrote to them about the power "
            "cut. Very thoughtful.",
            "I would recommend the store to anyone my age. Patient, kind and no jargon.",
        ],
    },
}

CHANGES: dict[str, list[str]] = {
    "remote-worker": [
        "Make the service status page honest. Tell me there's an outage and when it'll be fixed.",
        "Let me skip the chatbot if I've already done the basic troubleshooting.",
        "Offer a 4G backup for home workers, I'd happily pay extra for it.",
        "Proper compensation for outages for people who work from home.",
        "Guarantee the upload speed, not just the download.",
        "A phone line for technical faults that doesn't take an hour to answer.",
        "Better Wi-Fi range from the router, or include a mesh point.",
        "Stop pushing landline and TV add-ons when I order online.",
        'Give me a real engineer call-back slot instead of "within 24 hours".',
        "Replies to email complaints that actually answer the question.",
        "Let me choose where the engineer puts the router without an extra charge.",
        "Nothing really, it's been great.",
    ],
    "budget-family": [
        "Give existing customers the same deals as new customers.",
        "Tell us about price rises in pounds, not percentages.",
        "Make the cashback automatic instead of a claim form.",
        "Show what the first bill will be before it comes out.",
        "No late payment fees for a two-day delay.",
        "Cheaper Wi-Fi boosters, or include one for bigger houses.",
        "Real people on the webchat, not a bot that sends links to articles.",
        "Send important things by text as well as email.",
        "A fixed price for the whole contract, no mid-contract rises.",
        "Better parental controls in the app, with a profile for each child.",
        "Make it easier to get onto the social tariff.",
        "Just keep the price down.",
    ],
    "cautious-switcher": [
        "Answer the phone quicker. I don't want to use the chat or the app.",
        "Send everything by letter, free of charge.",
        "Warn people about the email address and the landline before they switch.",
        "Explain what the lights on the router mean in plain English.",
        "Ring before the engineer comes, and ring if he is not coming.",
        "More shops, and keep the staff you have in them.",
        "Give older customers a named person to deal with.",
        "Tell people about the battery backup for power cuts before they switch.",
        "A simple paper guide for the first week, in big print.",
        "Stop using jargon like ONT and full fibre without explaining it.",
        "Check that alarm pendants work with the new router.",
        "Nothing, I'm very happy.",
    ],
}

CONTACTS: dict[str, dict[str, list[str]]] = {
    "remote-worker": {
        "negative": [
            "Webchat during an outage in September. Bot first, then a 45 minute queue, then an "
            "agent who confirmed what I already knew.",
            "Reported a fault in the app. Got a text saying an engineer would call within 24 "
            "hours. Nobody called, it came back on its own.",
            "Emailed a complaint about the dropouts. Auto-reply, then a generic answer five days "
            "later.",
            "Tweeted them after the line went down, which got a quicker answer than the chat did.",
        ],
        "positive": [
            "Used the app to report slow speeds, they ran a line test remotely and fixed a fault "
            "at the exchange.",
            "Webchat to change my package, the agent sorted it in ten minutes.",
            "Called about moving house, they moved the service to the new address with no gap.",
            "Haven't needed to contact them, which is how I like it.",
        ],
    },
    "budget-family": {
        "negative": [
            "Webchat about my bill going up. The bot kept sending me a link. Took an hour to "
            "reach a person.",
            "Rang about the cashback. They said a different company handles it and gave me an "
            "email address.",
            "Called to cancel because of the price rise, on hold for 35 minutes.",
            "Webchat to change my payment date to after payday. Got cut off twice.",
        ],
        "positive": [
            "Facebook message about a double charge, refunded within the day.",
            "The retention team called me back and offered a better deal. Friendly and quick.",
            "Instagram DM about the late fee, they waived it.",
            "Asked about parental controls on the chat and they sent me a guide by email.",
        ],
    },
    "cautious-switcher": {
        "negative": [
            "I rang about the router lights and waited 40 minutes. The man was kind when I got "
            "through.",
            "I wrote a letter about the missed engineer appointment. It took three weeks to get "
            "an answer.",
            "Phoned to ask for paper bills and was told it would cost extra.",
            "My daughter tried the website for me but we couldn't find a phone number anywhere.",
        ],
        "positive": [
            "I went into the shop with my bill and they explained it to me properly.",
            "Rang the helpline after the power cut and they sent me a battery pack.",
            "The shop helped me connect my new phone to the Wi-Fi.",
            "Phoned to check a text message was really from them. It was, and they were patient.",
        ],
    },
}

OPENERS: dict[str, list[str]] = {
    "negative": ["Honestly, ", "To be blunt, ", "Where do I start. ", "Tbh ", "Simple. ", ""],
    "neutral": ["Overall, ", "On the whole, ", "To be fair, ", "Hmm. ", ""],
    "positive": ["Really pleased. ", "Honestly, ", "So far so good. ", "Simply put, ", ""],
}

CLOSERS: dict[str, list[str]] = {
    "negative": [
        " Very disappointed.",
        " Sort it out please.",
        " Considering leaving.",
        " Not good enough!!",
        "",
    ],
    "neutral": [" Could be better.", " Fine overall.", " We'll see.", ""],
    "positive": [" Thank you!", " Would recommend.", " Keep it up 🙂", " Well done.", ""],
}

NON_ANSWERS: list[str] = ["NA", "N/A", "n/a", "N/A.", "na"]
