"""Hand-written interview content of the Brightwave sample study, participants P09-P15.

Each transcript is a block of turns. A turn starts with a speaker code at the start of a line:
``I:`` the interviewer, ``P:`` the participant, ``O:`` another person present (P09's daughter),
``P+:`` a further paragraph of the participant's previous turn. Indented lines continue the turn.
:func:`turns` turns a block into ``(code, [paragraph, ...])`` pairs; the writer in
``make_sample_study.py`` decides the speaker labels and layout of each file.
"""

from __future__ import annotations

import re

_START = re.compile(r"^(I|P|O|P\+): ")

TRANSCRIPTS: dict[str, str] = {}

TRANSCRIPTS["P09"] = """\
I: Hello Dennis, thanks for joining. I'm Priya Nair from the research team. Before we start,
    we're recording the call and Teams is making a transcript; it's only used for the research
    and your name won't appear in anything we share. Is that alright with you?
P: Yes, that's fine, love. My daughter Claire's here as well, she set the laptop up for me. I
    hope that's alright.
I: Of course, hello Claire. So Dennis, how did you first hear about Brightwave?
P: Well, it was a leaflet, I think, through the door, back in... it would have been March. I'd
    been with my old provider for, oh, thirty-one years, since we had the phone put in at the
    bungalow. And I never thought about changing, to be honest with you, you just pay the bill,
    don't you. But then the letter came saying the price was going up again in April, and I sat
    down and worked it out and I was paying £58 a month for the phone and the internet, which I
    hardly use, the internet I mean. And the leaflet said £26 a month for the fibre with the
    phone line kept. I thought, that can't be right, there must be a catch. I kept it on the
    fridge for about three weeks. I showed it to the chap next door, Alan, and he said he'd gone
    over the year before and it was fine. That's what did it really, Alan saying it was fine.
I: What made you choose them in the end, rather than staying put?
P: Honestly, it was the shop. There's a Brightwave shop on the high street in Wrexham now, where
    the old bank used to be. I went in on a Tuesday morning and a young lady called Jess sat
    down with me for the best part of an hour. She wrote everything down on a piece of paper for
    me, what I'd pay, when the engineer would come, what happens to my number. I need things
    written down. I don't trust myself with the websites.
I: You mentioned your number. What were you worried about with switching?
P: Oh, the phone number, mainly, and the email. I've had the same number since 1993 and
    everybody has it, the doctor's surgery, my sister in Whitby, the church. I was frightened to
    death I'd lose it and people wouldn't be able to get hold of me. And my email address was
    one of those old provider ones, and all my photos from the grandchildren come to that. Jess
    said the number would come across automatically and I wouldn't have to ring the old lot,
    which I didn't believe, to be honest. I thought there'd be a week with no phone at all. And
    I was worried about what happens in a power cut, because she said the phone would go through
    the router now instead of the wall. Nobody had ever said that to me before. I didn't sleep
    very well the night before it all switched over, I'll be honest with you.
O: Can I just jump in? The email was the big one for Dad. Nobody in the shop could tell us
    whether his old address would keep working. We ended up ringing the old provider ourselves
    and they said it would close after 90 days unless he paid £7 a month to keep it. That wasn't
    on the leaflet anywhere.
I: That's really helpful, thank you Claire. Dennis, how did the order itself go?
P: Jess did it all on her computer in the shop. Then I got a letter about a week later
    confirming, and a text message on my mobile with the date for the engineer. I didn't know
    the text was real at first, you hear about these scams, so I rang the 0800 number on the
    letter to check. The lady on the phone was lovely, she said yes, that's us.
I: Tell me about the installation.
P: The engineer came on the 14th of May, a Thursday. He was supposed to be between eight and one
    and he turned up at twenty past twelve, so I'd been sat in the window all morning. But he
    was very good once he was here. Marcus, his name was. He put a new box in the hall and the
    router, and plugged my old phone into the back of it. He rang my mobile from the house phone
    to show me it worked. I was so relieved I made him a second cup of tea.
I: And the router and the internet, how was setting that up?
P: Well, that's where I came unstuck. There's all these lights on it and one of them was orange
    the next morning and I didn't know if that meant it was broken. The booklet said to download
    the app, but I haven't got the app, I've got a phone that does phone calls. So I rang the
    helpline.
I: How was that call?
P: I was on hold forty minutes. Forty. The music goes round and round and a voice keeps telling
    you that you can do it quicker online. Well, if I could do it online I wouldn't be ringing,
    would I? When I got through the young man was patient, I'll give him that. He said orange
    just meant it was updating and to leave it alone. So I'd been worrying for nothing, but it
    took an hour out of my day.
O: That's when I put the My Brightwave app on his tablet. He still won't use it, mind.
P: I don't like the app. It wanted a password with capitals and numbers and a symbol, and I
    wrote it down, and then it said it was wrong. I prefer a person.
I: How has the first bill been?
P: The first bill confused me. It came by email, which I didn't ask for, and it said £41.60, not
    £26. I went back to the shop with it printed out, Claire printed it, and Jess explained it
    was part of a month from the installation date plus the first full month, and it would
    settle down. And it did, the next one was £26. But nobody told me that up front. If they'd
    put it in the letter I wouldn't have worried. I've asked for paper bills now and they said
    that's £1.50 a month extra, which I think is a bit much for a pensioner.
I: Have you had to contact support since, for any faults?
P: Once. In August the internet went off for two days, and the phone as well, because it's all
    through the router now, which is exactly what I was afraid of. I couldn't ring them from the
    house phone because that was off too, so I rang on my mobile, and it was another long wait.
    They said there was a fault in the area, a cable cut by some roadworks, and they sent me a
    text each day to say how it was going. The texts were good actually, I knew where I stood.
    They knocked £5 off the bill without me asking, which I thought was decent. But two days
    without a telephone at my age, you do feel a bit cut off. If I'd had a fall, what then?
I: What would have made that easier?
P: If they'd told me before I switched that there's a battery thing you can have for the router.
    I only found out from Alan afterwards. I'd have paid for that, gladly.
I: Looking ahead, your contract's eighteen months. Have you thought about what happens at
    renewal?
P: I've put a note in the diary. I've learnt my lesson now: you have to ring them up and tell
    them you're leaving, otherwise they put it up. That's what Alan says. I'll go into the shop,
    I won't do it on the phone. I trust Jess.
I: Overall, how do you feel about the switch now?
P: Relieved, mostly. Glad I did it. It's £32 a month less and the internet's quicker for the
    video calls with my grandson in Canada. But I wouldn't have managed without Claire and
    without that shop. If it had all been on the website I'd still be with the old lot, paying
    through the nose.
I: That's everything from me. Thank you both so much.
P: Thank you, love. Take care now.
"""

TRANSCRIPTS["P10"] = """\
I: Right, we're recording. Thanks for doing this, Jordan. Just to confirm, you're happy for us
    to record and use anonymised quotes in the research?
P: Yep, all good.
I: Great. Can you tell me a bit about yourself and how you use the internet at home?
P: Sure. So I'm a freelance video editor, I've been fully remote since 2021. I work from the box
    room, basically. Most days I'm pulling down rushes from clients, could be 40, 60 gigs, and
    then uploading cuts back for review, and the upload is the bit that matters. On my old
    connection it'd take like six hours to push a 30-gig project to the client and I'd literally
    leave it running overnight and pray. I also do a lot of calls, Teams, Zoom, whatever the
    client uses, and if the call drops in front of an agency producer that's... that's money,
    really. So reliable upload and stable latency, those are the two things. I don't care about
    TV bundles or any of that. I want a line that works and a router I can set up myself without
    anyone holding my hand.
I: How did you first hear about Brightwave?
P: Reddit, honestly. There's a UK broadband subreddit and people kept posting speed tests from
    Brightwave full fibre with like 900 down and a decent upload. Then I started seeing their
    ads on YouTube, the one with the guy uploading a video from a garden shed.
I: What made you choose them over the other options?
P: I went through a comparison website and then their own website. The checker on their site was
    good. I put in my postcode and it told me full fibre was live on my street, and it gave the
    actual upload figure, 110 meg minimum on the 500 package, which most providers bury in the
    small print. £35 a month on 24 months, no setup fee. The thing that nearly put me off was
    the reviews on Trustpilot about support, but I thought, I'm not going to need support much,
    I'm fairly technical. Famous last words.
I: How was ordering?
P: Fine, ten minutes online. The only odd thing was it kept trying to sell me their mesh kit and
    a landline I didn't want, three separate pop-ups. I got a confirmation email straight away
    and then texts about the install date.
I: Tell me about the installation.
P: Engineer came on time, actually early. Brilliant guy. The only issue was he wanted to put the
    fibre box in the hallway where the line comes in and I needed it in the office, and he said
    that's normally an extra job. We compromised, he ran the cable along the skirting for me.
    The router, I swapped it out for my own within a week, but the app let me put their router
    into modem mode easily, fair play.
I: What's the My Brightwave app like for you?
P: For day-to-day it's decent. I use the speed test, I check the bill, I rebooted the router
    from it once from a café in town. The bit that's useless is the service status page, and
    that's... yeah, we'll get to that.
I: Go on then. Have you had to contact support?
P: Yeah. So in August there was an outage. It was a Tuesday and I had a final delivery for a
    client due at 5pm, a 25-gig master file. Line goes down about half ten. First thing I do is
    open the app and it says "No known issues in your area", green tick. So I do all the usual,
    reboot, check the fibre box, and the PON light is red, which is obviously a line problem,
    not my kit. I go to the webchat and it's the bot, and the bot wants me to turn the router
    off and on again, and then it asks me if I've tried turning it off and on again. I typed
    "agent" about six times before it put me in a queue, and the queue said 47 minutes.
    Meanwhile I'm tethering off my phone in a café, burning through my data, trying to upload 25
    gigs on 4G, which is just not happening. The agent, when I got one, was nice enough, but she
    said there was a major incident in the area, which the app still said didn't exist. That's
    the bit that really wound me up. If the app had just told me at 10:35 there's an outage,
    estimated fix 6pm, I'd have gone straight to a co-working space and not wasted two hours. I
    missed the deadline, and I had to tell the client it was my internet, which sounds like the
    dog ate my homework.
I: How did it get resolved?
P: It came back at about 9pm. I tweeted at them in the afternoon out of sheer frustration and
    the social team replied within twenty minutes, actually, which was faster than the chat.
    They sent me a DM with a reference and later I got an email offering £7.50 credit. Seven
    pound fifty. For a day of my business. I know that's the automatic compensation thing, but
    it felt a bit insulting.
I: Did you make a complaint?
P: I did, by email. I asked them to explain why the status page was wrong and whether they have
    a business-grade option with a proper SLA. I got an auto-reply saying they'd respond in five
    working days, and then a templated answer which didn't address either question. So I gave up
    on that.
I: How do you feel about Brightwave overall right now?
P: Honestly, mixed. When it works it's the best connection I've ever had. The upload is
    genuinely transformative for my work, I'm pushing 30 gigs in under ten minutes. I'd say I'm
    delighted with the product and frustrated with the company, if that makes sense. The trust
    took a knock. I don't believe the status page any more, I check Downdetector instead.
I: What would you want them to change?
P: Honest status information, first. Second, a way to skip the bot if you've already done the
    basic troubleshooting, like, let me tick a box that says red PON light, I've rebooted. And a
    4G backup option for home workers. I'd pay a fiver a month for that, easily.
I: Your contract's got a while to run. Have you thought about renewal?
P: I've got about eight months left. If there's another outage like that I'll probably pay the
    exit fees and go to a business provider, even if it's double the price. I need to be able to
    tell clients the files will arrive.
I: That's really clear. Anything else you want to add?
P: Just that the engineer and the product are great. It's everything around it that's the
    problem.
I: Brilliant, thank you Jordan. I'll stop the recording there.
"""

TRANSCRIPTS["P11"] = """\
I: Thanks for having me, Sofia. Just to check, you've read the information sheet and you're OK
    with me recording this call for the research?
P: Yes, that's fine. Sorry if you hear the kids, the little one's off school with a cold.
I: No problem at all. Can you tell me a bit about your household and how you all use the
    internet?
P: So it's me, my husband Luis, and our two kids, nine and four. The internet is on all the
    time, honestly. The eldest is on Fortnite and YouTube and does his homework on a Chromebook
    from school, the little one watches Bluey on the tablet, and we've got Netflix on the telly
    in the evenings. Luis works shifts at the warehouse so he's not working from home, but I do
    my bookkeeping course online two evenings a week. Money is tight, I'm not going to lie. I do
    all the bills on a spreadsheet and every month I'm looking at what I can cut. So for me the
    broadband has to be cheap and it has to cope with everyone at once without the kids
    screaming that it's buffering.
I: How did you first hear about Brightwave?
P: On Facebook. There's a local mums' group and someone posted that Brightwave were doing £100
    cashback plus the first three months at half price. Then I saw the advert myself on
    Instagram a few days later.
I: What made you choose them?
P: Price, mainly. I went on a comparison site and they came out second cheapest, £24.99 a month
    for 150 meg, but the cheapest one had awful reviews. And the cashback. I thought, with the
    half-price months and £100 back, that's basically Christmas presents sorted. I wanted to get
    the total cost down over the two years, that's how I worked it out.
I: How was the ordering and getting started?
P: Ordering online was easy. The cashback wasn't. You had to claim it through a separate website
    after 90 days and upload the first bill, and I nearly missed the deadline because the
    reminder email went into my spam. I only remembered because someone in the Facebook group
    posted about it. I got it in the end but it took eleven weeks to arrive.
I: Tell me about the installation.
P: It was fine. They sent the router in the post and it was just plug and play, because we
    already had fibre in the street. I did it myself with a YouTube video on my phone. The only
    thing was the router is in the living room and the signal upstairs in the kids' rooms is
    rubbish, so we ended up buying a booster from Argos for £30.
I: And the first bill?
P: Oh, the first bill. I was expecting £12.50 because of the half-price offer, and it was
    £38-something. I panicked, honestly, because I'd budgeted to the pound that month. So I
    opened the app and I couldn't make sense of it. There was a part-month charge, and then a
    charge in advance, and the discount showed as a separate line that hadn't been applied yet.
    I went on the webchat and the bot just kept sending me a link to an article called
    Understanding your first bill, which I'd already read. Eventually I got a person, Daniel I
    think, and he explained that the discount would come off the next bill. Which it did. But
    that's £25 I didn't have that week, and it went out by direct debit before I could do
    anything. They should just show you on day one what the first bill will be, in pounds, not
    in an article.
I: How did you feel at that point?
P: Stressed. And a bit stupid, like I'd missed something. Then relieved when the next one was
    £12.50 like they said.
I: Have you had to contact support for anything else?
P: The Wi-Fi dropping out in the evenings, a few times in the winter. The chat bot is useless
    for that, it just tells you to restart. I posted on their Facebook page in the end and
    someone messaged me privately and booked a line test, and they changed the router. That
    worked. It's sad that you have to moan in public to get anything done, but that's how it is
    with all of them.
I: What happened when your contract came up for renewal, or has there been a price change?
P: Yes, in March I got an email, not even a letter, saying the price was going up in April by
    CPI plus 3.9 percent, which I had to google. It worked out about £2.10 a month more. Then
    the half-price period had ended too, so I was on £27.09. And I saw in the Facebook group
    that new customers were getting the same package for £22. That really annoyed me. I'm loyal
    and I'm paying more than someone who joined yesterday.
P+: So I went on the webchat and typed cancel, because someone said that gets you through to the
    retentions team. And it did. A lady rang me back the next day, and she offered £3 off. I
    said no, and she came back with £24 a month fixed for 24 months with no mid-contract rise,
    in pounds, not percent. I took that. I felt like I'd won, honestly, but I shouldn't have to
    threaten to leave to get a fair price.
I: What would you want Brightwave to do differently?
P: Tell me the real price in pounds. Give existing customers the same deals as new ones. And
    send the important stuff, like price rises, in a text as well, because I don't read every
    email.
I: Would you recommend them?
P: To friends with kids, yes, probably. I'd tell them to haggle, though. I'd give them a seven.
I: Thank you, that's really useful. That's all my questions.
P: No worries, good luck with it.
"""

TRANSCRIPTS["P12"] = """\
I: Thank you for seeing me, Mrs Doyle. As I said on the phone, I'm recording this for our notes
    only, and nothing you say will have your name on it. Is that still alright?
P: Yes, that's fine, and it's Pat, please. Nobody calls me Mrs Doyle except the bank.
I: Pat it is. Could you tell me a little about yourself and the internet at home?
P: Well, I'm seventy-three, I've lived on my own since Frank passed, that's four years ago now.
    Frank did all of this, the bills, the computer, the broadband. I've got an iPad that my son
    set up for me, and I use it for the news, for the crossword, and for FaceTime with my son in
    Perth. Australia, not Scotland. And I've got the pendant alarm, the one you press if you
    fall, that goes through the phone line.
I: How did you first hear about Brightwave?
P: There was an advert in the Belfast Telegraph, a full page, and then a few weeks later a
    letter came addressed to The Homeowner with an offer. I put the letter in the drawer. I
    don't act on letters like that, you never know who they're from.
I: So what made you consider switching?
P: My old provider wrote to say the bill was going up to £61 a month. Sixty-one pounds! For a
    phone I hardly use and an internet I use for the crossword. My neighbour's grandson looked
    at it for me and said I was out of contract and paying the loyalty penalty, which I'd never
    heard of. He said I could get the same for half that. But I was very nervous. Frank always
    said don't change what works. And I was worried about the alarm pendant, because the lady
    from the council had said something about the phone lines changing to digital and the alarms
    not working. I didn't understand it and I didn't want to be the one lying on the kitchen
    floor with a pendant that doesn't work. So I did nothing for about two months, if I'm
    honest. I just kept paying the £61.
I: What changed?
P: I was in town for the chemist, and the Brightwave shop was right there, and it was quiet. So
    I went in. A young man called Kevin. I'll never forget him. He didn't rush me, he got me a
    chair, and when I mentioned the alarm he said let's ring them together, and he rang the
    alarm company from the shop, on speakerphone, and they said they'd send a new unit that
    works with the new router, free. That was what decided me. I signed up there and then for
    £29 a month.
I: How did you feel walking out of the shop?
P: Relieved. And a bit proud of myself, to be truthful. Then on the bus home I started worrying
    I'd done something silly.
I: What happened after you signed up?
P: I had a letter a few days later with the date for the engineer and a welcome pack, and a lot
    of emails I didn't read. The letter I understood. It said what day, and 8am to 1pm, and what
    to do if I couldn't be in. I put it on the fridge.
I: Tell me about the installation.
P: The engineer didn't come. The first time. I waited in all morning and nobody came and nobody
    rang. I rang the 0800 number at two o'clock and after a long wait a lady said there had been
    a resourcing issue and they'd rebook. That upset me, because I'd cancelled my hair
    appointment. The second time, a week later, a lovely man came, and he was very thorough, and
    the alarm people had already sent the new box, so he plugged it all in and he even pressed
    the pendant to test it with me.
I: Did you get anything for the missed appointment?
P: Not until I wrote to them. I wrote a proper letter of complaint to the address on the bill,
    in my best handwriting, and about three weeks later I had a letter back with an apology and
    a £30 credit. I'd rather write than ring, because on the phone they pass you round and you
    have to say it all again every time.
I: How have you found the router and the internet since?
P: It's very good. The FaceTime with my son doesn't freeze any more, which it used to. I can see
    my granddaughter properly now. That's the best thing that's come out of it.
I: Have you used the app or the website?
P: I tried. The welcome letter said to download My Brightwave to see my bill, and I did, and it
    asked me for a code it had texted me, but by the time I'd found my glasses and the text, the
    code had run out. Three times that happened. Then it locked me out. So I gave up. I rang and
    asked for paper bills and the man said they can do it but it's £1.50 a month, and I said
    Frank and I paid our bills on paper for fifty years and I'm not paying extra for it. He took
    it off in the end, as a one-off gesture. I don't want the app. I want a bill I can hold in
    my hand and a number I can ring where a person answers. Is that too much to ask?
I: Has anything happened with your contract or price since?
P: Last month I had a letter saying the price would go up by £1.75 a month from next April. It
    was a clear letter, I'll give them that, it said the amount in pounds. I didn't like it but
    I understood it. I took it into the shop and Kevin said it was in my contract, it happens
    every year, and that I'd been told at the start. I suppose I was, but there was so much to
    take in that day.
I: What would you tell a friend who's thinking of switching?
P: Go to the shop, ask for Kevin. And take somebody with you. Don't do it on the computer.
I: Thank you, Pat, that's been really helpful.
P: You're welcome, dear. I hope it helps someone like me.
"""

TRANSCRIPTS["P13"] = """\
I: OK, we're recording. Thanks for making time, Ravi. As per the consent form, this is recorded
    for research and we'll anonymise anything we quote. All good?
P: Yes, that's fine.
I: Could you start by telling me how you work and how you use broadband?
P: I'm a backend developer for a fintech, fully remote. So I'm on video calls four or five hours
    a day, pushing and pulling Docker images, and I'm on call one week in six, which means if
    the internet dies at 3am during an incident, that's a real problem. My partner also works
    from home two days a week, and our little one is at nursery three days, so we need two solid
    video calls at once.
I: How did you come to Brightwave?
P: We moved house two summers ago, July 2024, from a flat in central Reading to a terrace in
    Caversham. Our old provider couldn't do full fibre at the new address, only copper, so I had
    to switch. I did it properly: I made a spreadsheet with upload speed, contract length, price
    after the first year, and reviews about outages specifically. Brightwave came out top for
    upload, 220 meg on the 900 package, and the website had a really clear table with the price
    each year including the April rise, in pounds, which I actually appreciated. A colleague on
    Slack said he'd had them for two years and it had been rock solid. So I ordered online about
    four weeks before we moved, specifically so it'd be ready on day one. That was the plan,
    anyway.
I: And how did that go?
P: Not to plan. I got a confirmation email with an install date two days after we moved in,
    which was fine. Then the day before, I got a text saying the appointment had been
    rescheduled to eleven days later. No explanation. I called the helpline and waited fifty
    minutes and the agent said there was a problem with the network build on our street and she
    couldn't say more. So I worked from a co-working space for two weeks at £25 a day, and I was
    tethering in the evenings for on-call. I asked for that to be compensated and they said they
    only compensate for missed appointments, not rescheduled ones, even though it was
    rescheduled with fourteen hours' notice. That felt like a technicality. I was angry,
    honestly. I'd done everything right and planned ahead and it didn't matter.
I: When the engineer did come, how was the installation?
P: The engineer himself was great. He was apologetic, he explained the street had needed a new
    splitter. He asked where I wanted the router and put it in the study rather than the
    hallway, and he did a speed test with me before he left, 930 down and about 210 up. Way
    above what I was promised. I was properly delighted at that point.
I: How did you set things up afterwards?
P: I used the app to change the Wi-Fi name and password and set up a guest network. That was
    slick. I added a mesh point upstairs for my partner's office, bought my own, and the app
    recognised it fine.
I: Have you had to contact support since?
P: Twice. Once for a billing error, they charged me for a landline I never ordered. The webchat
    bot actually sorted that, to be fair; it recognised that I hadn't ordered it and raised a
    refund. £8 back in three days. The second time was an outage.
I: Tell me about the outage.
P: It was last May, during my on-call week. At about 2am the pager goes off, I open the laptop,
    and no internet. The app said everything was fine. The status page on the website said
    everything was fine. So I'm tethering to my phone, trying to get into production over a 4G
    signal that drops every time I move my head, while also trying to work out if it's my router
    or them. I reported it in the app at 2:15 and it said an engineer would call me within 24
    hours. Twenty-four hours! The service came back at 6:40am. Nobody ever told me what
    happened. Later that day I got a text saying they'd fixed an issue in my area, so there was
    an issue, the status page just didn't know about it. I emailed a complaint asking for a root
    cause and some kind of commitment, and I got a reply that started with sorry to hear you've
    been having trouble with your Wi-Fi. It wasn't Wi-Fi. It made it really clear they don't
    take home workers seriously.
I: How did that leave you feeling about them?
P: Like I can't rely on them when it matters. Day to day it's fine, it's fast. But reliability
    is the whole point for me, and I don't trust their information any more.
I: What happened when your contract came up for renewal?
P: Well, it was a 24-month contract so it ended this July. I got an email six weeks before
    saying my price would go from £32 to £47 out of contract. To be fair, they told me in
    advance. I went on the webchat to see what they'd offer, and the agent offered £36 for
    another 18 months. Meanwhile a competitor had just lit up our street with a home worker
    package with a 4G backup dongle included, for £39.
I: What did you decide?
P: I switched away. It was surprisingly easy with the new one-touch switching. The new provider
    handled it, I didn't have to call Brightwave at all. But then Brightwave sent me a final
    bill for £19.40 for days in notice, which I didn't think I owed, and a text and two emails
    trying to win me back, and then a letter asking me to return the router in a prepaid bag
    within 30 days or pay £60. The bag never came. I requested it in the app, twice, and in the
    end I had to go into a store in town and hand the router over the counter. The lady in the
    store was really nice about it and gave me a receipt, which I photographed, because by then
    I didn't trust them not to charge me. It's a shame, because the actual connection was the
    best I've had.
I: If you could change one thing about Brightwave, what would it be?
P: Tell the truth on the status page. If I know there's an outage and roughly when it'll be
    fixed, I can plan around it. Not knowing is what makes you angry.
I: Would you go back to them?
P: Maybe, if they offered a backup option. I'd give them a five out of ten right now. Good
    product, poor communication.
I: Great, thanks Ravi, that's everything.
"""

TRANSCRIPTS["P14"] = """\
I: Hi Nicole, thanks for speaking with me. Just to confirm before we start, I'm recording this,
    it's only for the research team, and we'll take out your name and anything that could
    identify you. Is that OK?
P: Yeah, that's fine.
I: Great. Could you tell me a bit about your household?
P: It's just me and Kayden, he's nine. I work part-time at a care home, nights mostly, and I'm
    on Universal Credit as a top-up. Kayden needs the internet for school, he gets his homework
    on an app, and I need it for my UC journal and for my shifts, the rota comes through on an
    app as well. So it's not a luxury, you know? People think it is but it isn't.
I: How did you first hear about Brightwave?
P: My work coach at the Jobcentre mentioned social tariffs. I'd never heard of them. Then I
    looked it up on my phone and Brightwave's one was £15 a month for 75 meg, no contract, no
    exit fees. My old deal was £32 and it had gone up twice. I was paying more for broadband
    than for Kayden's school dinners.
I: What was signing up like?
P: Hard, to be honest. The website said check if you're eligible, and you had to upload a
    screenshot of your UC statement. I did it on my phone and it kept saying the file was too
    big. Then it went through, and two days later I got an email saying my application could not
    be verified. No reason. I felt a bit embarrassed, like they thought I was lying. I rang the
    number and waited thirty-five minutes with Kayden asking me questions the whole time, and
    the man said the screenshot had to show the date and my name on the same screen, which it
    didn't say anywhere on the website. So I did it again, and then it was approved. All in, it
    took about two weeks. If I'd been less stubborn I'd have given up. And I was worried the
    whole time that my old provider would cut me off before the new one started, and Kayden
    would have no internet for his homework.
I: Did that happen?
P: No, thank God. The switch was on the same day. I got a text saying the router was on its way,
    and it came in a box, and I just plugged it in. It worked first time, which I didn't expect.
    That was a nice surprise.
I: How have you found using it day to day?
P: Good. It's fast enough for Kayden on his tablet and the Xbox and me on my phone. The app's
    really good actually. You can set times when his tablet goes off the Wi-Fi, and you can
    pause it. I use that every night, half eight, Wi-Fi goes off for his tablet. Best thing
    about it.
I: Have you had any issues with bills or payments?
P: Once, yeah. My wages came in late one month because of a bank holiday, and the direct debit
    bounced. I got a text from Brightwave saying the payment failed, which was fair enough, and
    I paid it by card in the app two days later. But then on the next bill there was a £10 late
    payment fee. Ten pound! On a £15 bill. That's like two-thirds again. For two days. I
    messaged them on Instagram because I couldn't face the phone queue again, and someone
    replied the same evening and said they'd waive it as a goodwill gesture, which was good of
    them. But they shouldn't be charging that to people on a social tariff in the first place,
    should they? It's the people who can least afford it. I was really upset that night, I'm not
    going to lie.
I: Have you needed any technical support?
P: There was an outage around Christmas, the whole estate was off for a day. They texted me in
    the morning to say they knew about it and again when it was back. So I didn't have to chase,
    which I liked.
I: Any letters or emails from them you remember?
P: They sent a letter in the spring about prices going up for everyone, and I panicked, but then
    it said on the back that social tariff customers weren't affected. They should put that on
    the front! I nearly rang them.
I: Looking ahead, have you thought about staying or switching?
P: Because there's no contract I check every few months. My friend's on a different one at
    £12.50. I mentioned it on the webchat and the agent said they couldn't match it, but they
    could give me a free upgrade to 150 meg for the same £15. I took that. I'm staying for now,
    but if money gets tighter I'll move for £2.50, honestly. Every little bit counts.
I: What's the one thing you'd want Brightwave to change?
P: Make the sign-up for the cheap tariff easier and say clearly what they need from you. And
    stop charging late fees to people on the social tariff.
I: Thanks so much, Nicole. That's all my questions.
P: No problem. Hope it helps.
"""

TRANSCRIPTS["P15"] = """\
I: Good afternoon, Gerald. Thank you for agreeing to talk to me. I’m recording our conversation
    for the research only. Is that all right?
P: Perfectly all right. Fire away.
I: Could you start by telling me a little about yourself?
P: I’m seventy-three, retired. I taught geography for thirty-four years. My wife June and I live
    in a village outside Sherborne. We use the internet for emails, the weather, ordering June’s
    prescriptions, and watching the cricket. Our son sorts out most of the technical things, but
    he lives in Bristol, so we muddle through on our own most of the time.
I: How did you first hear about Brightwave?
P: At the café, of all places. There’s a little café on the green where a few of us meet on a
    Wednesday morning, and Renée who runs it had put Brightwave in for the café Wi-Fi, and she
    said it was half the price of what she’d been paying. Then Derek, who I play bowls with,
    said he’d switched and the engineer had been a proper gentleman. So I had two
    recommendations from people I trust, which matters far more to me than any advertisement. I
    did see the leaflets, of course, they came through the door every few weeks, but I tend to
    put those straight in the recycling. I don’t believe what I read on a leaflet. I believe
    what Derek tells me over a pint.
I: What made you decide to switch?
P: The price, first. We were paying £54 a month to our old company for a line that dropped out
    whenever it rained. Brightwave quoted £27.50 on the telephone. But I was anxious, I don’t
    mind admitting. We’d been with the old company since 1987. I was worried about losing the
    email address, and I was worried about the landline, because June’s sister rings every
    Sunday and she’s not one for mobiles.
I: How did you go about buying it?
P: I rang them. I rang the sales number three times, in fact, before I bought it, because each
    time I thought of another question. The third time I spoke to a young man called Tom who was
    extraordinarily patient. He went through it all with me: what happens to the number, what
    happens to the email, how long we’d be without service, which he said would be less than an
    hour, usually. He sent me a letter afterwards setting out everything he’d said, with the
    price in pounds and the date of the engineer, which I kept in a plastic wallet. I
    appreciated that enormously. I don’t like buying things on a website where you can’t ask
    anybody anything. It isn’t that I can’t use a computer, I taught myself spreadsheets in
    1995. It’s that I want somebody to be accountable.
I: Tell me about the installation.
P: The engineer came on the day he was meant to, a Friday. He was very pleasant. But he put the
    router in the hall by the front door, where the line comes in, and our computer is in the
    back room and the television’s in the conservatory. So the Wi-Fi in the conservatory was
    hopeless, the cricket kept stopping. I didn’t like to make a fuss at the time.
I: What did you do about it?
P: I rang the helpline. I was on hold for twenty-five minutes, and then a lady said I could have
    a Wi-Fi booster for £5 a month. I said I didn’t want to pay £5 a month for something that
    was their engineer’s doing. She was polite but she wouldn’t budge. In the end our son came
    down at half-term and moved it with an extension cable. I felt rather foolish that I hadn’t
    said something on the day.
I: And the email address you were worried about?
P: That was the worst part of the whole business. Nobody told me, not Tom, not the letter, that
    the old email would stop working after thirty days. I found out when the vicar asked why I
    hadn’t replied about the parish council meeting. I’d lost about three weeks of messages and
    half my contacts. I was quite upset. June said I went very quiet for a day or two.
    Brightwave said it was nothing to do with them, and strictly speaking they’re right, but
    somebody should have warned me.
I: How have the bills been?
P: The bills come by post, which I asked for, and they’re clear enough. I do check every line.
    The first one was higher than I expected, £39, because of a part month, which rather alarmed
    me, but there was a note on it explaining, so I was satisfied.
I: Have you had to contact them about anything else?
P: The telephone line. In the storms in April there was a power cut, and the phone went dead as
    well, because it runs through the router now. June’s sister couldn’t get through and was
    terribly worried. I wrote to them afterwards, a letter, not an email, asking whether there
    was anything to be done. A nice lady rang me in reply, within the week, and they sent a
    little battery pack free of charge, because of our age. So that was handled well, I thought.
    I was touched, actually.
I: What about your contract? Have they been in touch about renewing or upgrading?
P: It hasn’t yet, it’s a two-year contract. But in August a lady rang me, from Brightwave, she
    said, offering to move us onto a faster package for £3 more a month. I was suspicious, so I
    rang the number on the bill back to check. It was genuine, but I said no thank you. I’ve
    written in the diary when the contract ends, March 2028, and I shall ring them a month
    before. Derek says you must always ring them, or the price goes up to something silly.
I: Overall, how do you feel about Brightwave now?
P: Cautiously positive, I would say. The people on the telephone have generally been very good.
    The things that went wrong were the things nobody told us. If they’d told me about the
    email, the power cuts and where the router would go, I’d be singing their praises. As it is,
    I’d give them a seven. I’ve recommended them to two people at the café.
I: Thank you so much, Gerald. That’s all I wanted to ask.
P: Not at all. I hope I’ve been of some use.
"""


def turns(participant_id: str) -> list[tuple[str, list[str]]]:
    """Return the turns of one transcript as ``(speaker code, paragraphs)`` pairs.

    >>> first = turns("P10")[1]
    >>> first
    ('P', ['Yep, all good.'])
    """
    result: list[tuple[str, list[str]]] = []
    for line in TRANSCRIPTS[participant_id].splitlines():
        match = _START.match(line)
        if match is None:
            if not result or not line.startswith("    "):
                raise ValueError(f"{participant_id}: stray line {line!r}")
            result[-1][1][-1] += " " + line.strip()
        elif match.group(1) == "P+":
            result[-1][1].append(line[match.end() :].strip())
        else:
            result.append((match.group(1), [line[match.end() :].strip()]))
    return result
