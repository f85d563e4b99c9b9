//! The drafts the load test sends and `time_drafts` times (shared by both examples).

/// Realistic drafts (300-600 characters), failing and passing, one with `@everyone`.
pub const DRAFTS: [&str; 10] = [
    "Hi Sam, I hope you're doing well! I'm a bootcamp graduate trying to break into product \
     management and I've been following your posts for a while. Can I pick your brain over coffee \
     sometime? I'd love to hear about your whole journey, what a PM actually does day to day, how \
     you got your first role and any general advice you have for someone like me. Let me know!",
    "Hi Tom, quick one: could you tell me whether the SQL test at your company is timed? I have \
     the take-home for the data analyst role on Thursday and the recruiter only said it takes \
     'about an hour'. I've practised window functions and joins on the public datasets, so I \
     mainly want to know whether to budget for speed or for polish. Thanks either way!",
    "Hey Lior, would you be up for a 20-minute call next week? I read your write-up on moving \
     your payments team from monthly to weekly releases and tried the same checklist with my \
     team at a small lender. Two of your steps worked and one backfired in a way you might find \
     useful, because our auditors asked for it to be reverted. I'd like to show you what happened \
     and ask one question about how you handled the change-approval board.",
    "@everyone hi all!! I'm new here and looking for a mentor in data science. I'm happy to meet \
     anyone for coffee who can tell me about the industry, which courses I should take, how to \
     write a resume, what salary to ask for and whether I should do a masters. Please DM me if \
     you have time, I'm free most evenings and weekends. Thanks so much in advance everyone!",
    "Hi Maya, I bought your book and I have a lot of notes on how its exercises worked for people \
     at a career crossroads in my bootcamp cohort: eleven of us did the values worksheet and \
     seven changed their target role afterwards. I would love to sit down with you over coffee \
     for half an hour and share what I saw, including the two exercises nobody finished and why.",
    "Hello, I'm reaching out because I want to work at Google. Could you refer me? I don't have \
     a specific role in mind yet but I'm a hard worker and a fast learner and I think I would be \
     a great fit for the culture. I've attached my CV. It would also be great if we could have \
     a coffee so you can tell me everything about the interview process and how to prepare.",
    "Hi Priya, I'm a junior backend developer two years into my first job and I'm weighing an \
     internal move to the platform team. You made the same move at your company in 2021. Could \
     I ask you one thing over a 15-minute coffee chat: what did you wish you had learned before \
     switching, Kubernetes or observability? I'll bring my own notes and keep it short.",
    "Hey, what is the difference between a data engineer and a data analyst? Also what is a \
     good salary for a junior UX designer in Berlin, and what are the best free resources to \
     learn Python? I'd love to grab coffee and chat about all of it, and maybe you can look at \
     my portfolio too. I'm flexible any day this month, just tell me when works for you.",
    "Hi Jonas, thanks for your talk at the meetup on Tuesday about accessibility audits. I ran \
     the screen-reader checklist from your slides on our checkout page and found three issues \
     that our automated tools missed. I'm writing up the results for our team wiki; would you \
     be open to me sending you the two-page summary and, if you find it useful, a short coffee \
     to hear which fix you'd prioritise first?",
    "Dear Sir or Madam, I am writing to request a networking coffee meeting at your earliest \
     convenience. I am passionate about technology and would appreciate the opportunity to learn \
     from your experience and expertise in the industry. I am open to any advice or guidance you \
     may be able to offer regarding my career path. I look forward to hearing from you soon.",
];
